package flameconnect

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func TestParseSelfAssertedFixtures(t *testing.T) {
	tests := []struct {
		file    string
		outcome saOutcome
		code    string
		key     string // of a refusal
		err     error
		anyErr  bool
	}{
		{file: "ok.json", outcome: saAccepted},
		{file: "wrong.json", outcome: saRefused, code: "AADB2C90053", key: provider.KeyInvalidAuth},
		{file: "wrong_spaced.json", outcome: saRefused, code: "AADB2C90053", key: provider.KeyInvalidAuth},
		{file: "numeric_bom.json", outcome: saAccepted},
		{file: "other.json", outcome: saOther, code: "AADB2C90255"},
		{file: "hostile_code.json", outcome: saRefused, code: "", key: provider.KeyUnknown},
		{file: "malformed.json", outcome: saRefused, code: "AADB2C90015", key: provider.KeyUnknown},
		{file: "locked.json", outcome: saRefused, code: "AADB2C90114", key: KeyAccountLocked},
		{file: "invalid_credentials.json", outcome: saRefused, code: "AADB2C90225", key: provider.KeyInvalidAuth},
		{file: "html.html", err: errNotJSON},
		{file: "no_status.json", anyErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "selfasserted", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			a, err := parseSelfAsserted(body)
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				return
			case tc.anyErr:
				if err == nil {
					t.Fatal("want an error")
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if a.Outcome != tc.outcome || a.ErrorCode != tc.code {
				t.Errorf("answer = %+v, want outcome %d code %q", a, tc.outcome, tc.code)
			}
			if tc.outcome == saRefused && a.key() != tc.key {
				t.Errorf("key = %q, want %q", a.key(), tc.key)
			}
		})
	}
}

func TestParseSelfAssertedInline(t *testing.T) {
	for _, body := range []string{`{"status":"400"}`, `{"status": "400"}`, "{\n\"status\"\t:\t\"400\"\n}", `{"message":"x","status":400}`} {
		if a, err := parseSelfAsserted([]byte(body)); err != nil || a.Outcome != saRefused || a.key() != provider.KeyInvalidAuth {
			t.Errorf("%q: %+v, %v; want rejected", body, a, err)
		}
	}
	for _, body := range []string{"", "   ", "[]", `"200"`, "{", "null"} {
		if _, err := parseSelfAsserted([]byte(body)); err == nil {
			t.Errorf("%q: want an error", body)
		}
	}
}

// Every code of the table keeps its key; a 400 without a code is a wrong
// password, an unknown or unreadable code is unknown.
func TestSelfAssertedRejectionCodes(t *testing.T) {
	tests := []struct {
		body string
		key  string
		text string
	}{
		{`{"status":"400","errorCode":"AADB2C90053"}`, provider.KeyInvalidAuth, "AADB2C90053"},
		{`{"status":"400","errorCode":"AADB2C90052"}`, provider.KeyInvalidAuth, "AADB2C90052"},
		{`{"status":"400","errorCode":"AADB2C90054"}`, provider.KeyInvalidAuth, "AADB2C90054"},
		{`{"status":"400","errorCode":"AADB2C90225"}`, provider.KeyInvalidAuth, "AADB2C90225"},
		{`{"status":"400"}`, provider.KeyInvalidAuth, "(no errorCode)"},
		{`{"status":"400","errorCode":""}`, provider.KeyInvalidAuth, "(no errorCode)"},
		{`{"status":"400","errorCode":"AADB2C90015"}`, provider.KeyUnknown, "AADB2C90015"},
		{`{"status":"400","errorCode":"AADB2C90114"}`, KeyAccountLocked, "AADB2C90114"},
		{`{"status":"400","errorCode":"AADB2C90111"}`, KeyAccountBlocked, "AADB2C90111"},
		{`{"status":"400","errorCode":"AADB2C90244"}`, KeyTooManyAttempts, "AADB2C90244"},
		{`{"status":"400","errorCode":"AADB2C90157"}`, KeyTooManyAttempts, "AADB2C90157"},
		{`{"status":"400","errorCode":"AADB2C90035"}`, provider.KeyCannotConnect, "AADB2C90035"},
		{`{"status":"400","errorCode":"AADB2C90289"}`, provider.KeyCannotConnect, "AADB2C90289"},
		{`{"status":"400","errorCode":"AADB2C90046"}`, KeySessionExpired, "AADB2C90046"},
		{`{"status":"400","errorCode":"AADB2C90255"}`, KeySessionExpired, "AADB2C90255"},
		{`{"status":"400","errorCode":"AADB2C90211"}`, KeySessionExpired, "AADB2C90211"},
		{`{"status":"400","errorCode":"AADB2C90212"}`, KeySessionExpired, "AADB2C90212"},
		{`{"status":"400","errorCode":"AADB2C90118"}`, KeyPasswordReset, "AADB2C90118"},
		{`{"status":"400","errorCode":"<b>x</b>"}`, provider.KeyUnknown, "(unreadable errorCode)"},
		{`{"status":"400","errorCode":90053}`, provider.KeyUnknown, "90053"},
		{`{"status":"400","errorCode":"aadb2c90053"}`, provider.KeyUnknown, "aadb2c90053"},
	}
	for _, tc := range tests {
		a, err := parseSelfAsserted([]byte(tc.body))
		if err != nil || a.Outcome != saRefused || a.key() != tc.key || a.codeText() != tc.text {
			t.Errorf("%s: %+v (%q, key %q), %v; want key %q, %q", tc.body, a, a.codeText(), a.key(), err, tc.key, tc.text)
		}
	}
}
