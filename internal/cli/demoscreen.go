package cli

import (
	"io"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// lineCounter counts the terminal rows written through it since the last
// reset, so the demo's menu can leave the last step's output in sight
// above it (frontend.Pick.Keep). A line wider than the terminal counts
// for each row it takes there.
type lineCounter struct {
	mu    sync.Mutex
	width int
	rows  int
	part  strings.Builder // the unfinished last line
}

// wrap returns a writer that writes to w and counts what goes through.
func (c *lineCounter) wrap(w io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		c.add(string(p))
		return w.Write(p)
	})
}

// add counts the rows of s (text a front end left on the screen, or a
// write).
func (c *lineCounter) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		line, rest, ok := strings.Cut(s, "\n")
		c.part.WriteString(line)
		if !ok {
			return
		}
		c.rows += c.height(c.part.String())
		c.part.Reset()
		s = rest
	}
}

// printed counts a front end's summary, which ends a line of its own.
func (c *lineCounter) printed(s string) { c.add(s + "\n") }

// height is the rows one line takes on a terminal of c.width columns.
func (c *lineCounter) height(line string) int {
	w := ansi.StringWidth(line)
	if c.width <= 0 || w <= c.width {
		return 1
	}
	return (w + c.width - 1) / c.width
}

// take returns the rows counted since the last take and starts again.
func (c *lineCounter) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.rows
	if c.part.Len() > 0 {
		n += c.height(c.part.String())
	}
	c.rows = 0
	c.part.Reset()
	return n
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
