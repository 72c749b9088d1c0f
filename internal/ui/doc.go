// Package ui is the Bubble Tea front end: a provider picker, the config-flow
// form (login + masked password), the validator running as a background
// command with a spinner and "Step n of m" progress, inline errors, and the
// final create_entry / abort screen; also the account picker (PickAccount)
// and the yes/no question (Confirm). It holds no protocol code: it renders
// flow.Results and calls flow.Submit.
//
// How it behaves for a person:
//
//   - The picker and the form are drawn on the alternate screen, and what
//     happened (the result, or that nothing was saved) is printed on the
//     main screen once the program ends. Confirm is one inline line.
//   - A frame taller than the terminal scrolls: the focused field, its
//     error and the key hints always stay in sight (down to 40x12), and a
//     long notice shrinks to one line. Text is at most 80 columns wide.
//   - Every edit is checked as the engine would check it on submit: a
//     paste loses one trailing line break, and a paste or key with a
//     control character (tab, newline, BEL, an escape sequence) or past
//     1 KiB is refused at once with invalid_characters / too_long under the
//     field; nothing is changed silently. Editing a field clears its error;
//     submitting clears the base error.
//   - esc goes back one step (form to provider picker, keeping the login;
//     or, with Options.Back, to the caller's step); at the first step it
//     cancels, as ctrl+c does anywhere.
//   - After a network failure the password stays (it was never judged);
//     after an auth failure it is cleared.
package ui
