package prompt

import (
	"context"
	"errors"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// scripted is a flowtest.Provider as a whole provider.Provider: the
// methods these tests never reach (Identity, Token) answer "not scripted".
type scripted struct{ *flowtest.Provider }

func (scripted) Identity([]byte) (string, error) { return "", nil }

func (scripted) Token(context.Context, []byte, time.Duration) (provider.Credential, []byte, error) {
	return provider.Credential{}, nil, errors.New("not scripted")
}
