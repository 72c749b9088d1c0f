package emulator

import (
	"testing"
	"time"
)

// An access token stops working at its exp, not a second later.
func TestAccessTokenExpiry(t *testing.T) {
	e := &Emulator{key: randomBytes(32), main: nil}
	now := time.Now()
	tok := e.jwt(map[string]any{"aud": accessAudience, "scp": accessScope, "oid": randomID(), "exp": now.Add(time.Hour).Unix()})
	if _, err := e.checkAccessToken(tok, now); err != nil {
		t.Fatalf("fresh: %v", err)
	}
	if _, err := e.checkAccessToken(tok, now.Add(time.Hour+time.Second)); err == nil {
		t.Fatal("expired token accepted")
	}
	other := e.jwt(map[string]any{"aud": "someone-else", "scp": accessScope, "oid": randomID(), "exp": now.Add(time.Hour).Unix()})
	if _, err := e.checkAccessToken(other, now); err == nil {
		t.Fatal("token for another audience accepted")
	}
}
