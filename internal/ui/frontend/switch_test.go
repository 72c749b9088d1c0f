package frontend_test

import (
	"errors"
	"testing"

	"github.com/setupwizard/setupwizard/internal/ui"
	"github.com/setupwizard/setupwizard/internal/ui/prompt"
)

// The command line picks a front end by assigning one package's functions
// to variables of the other's types: this only compiles while the two
// keep identical signatures.
var (
	runFlow     = ui.RunFlow
	pickEntry   = ui.PickEntry
	pickAccount = ui.PickAccount
	confirm     = ui.Confirm
)

func TestFrontEndsInterchangeable(t *testing.T) {
	runFlow, pickEntry, pickAccount, confirm = prompt.RunFlow, prompt.PickEntry, prompt.PickAccount, prompt.Confirm
	if runFlow == nil || pickEntry == nil || pickAccount == nil || confirm == nil {
		t.Fatal("unassigned")
	}
	if !errors.Is(ui.ErrCancelled, prompt.ErrCancelled) {
		t.Fatal("the front ends report cancellation differently")
	}
}
