package ui

import (
	tea "charm.land/bubbletea/v2"
)

// picker is a one-of-N list moved with the arrows or j/k, shared by the
// provider choice and PickAccount.
type picker struct {
	title  string
	items  []pickItem
	cursor int
}

// pickItem is one line: a label, and a dimmed note after it.
type pickItem struct {
	label, note string
}

// key handles a key press and reports whether enter chose the current item.
func (p *picker) key(msg tea.KeyPressMsg) (chosen bool) {
	switch msg.String() {
	case "up", "k", "shift+tab":
		p.cursor = (p.cursor - 1 + len(p.items)) % len(p.items)
	case "down", "j", "tab":
		p.cursor = (p.cursor + 1) % len(p.items)
	case "home", "g":
		p.cursor = 0
	case "end", "G":
		p.cursor = len(p.items) - 1
	case "enter":
		return true
	}
	return false
}

// render adds the title and the items; it returns the page lines where the
// cursor's item starts and ends, for scrolling.
func (p *picker) render(pg *page, st styles) (from, to int) {
	pg.text(st.title, 0, "", p.title)
	pg.blank()
	for i, it := range p.items {
		start := len(pg.lines)
		text := it.label
		if it.note != "" {
			text += " · " + it.note
		}
		if i == p.cursor {
			pg.text(st.cursor, 0, promptFocused, text)
			from, to = start, len(pg.lines)
		} else {
			pg.text(st.desc, 0, promptBlurred, text)
		}
	}
	return from, to
}
