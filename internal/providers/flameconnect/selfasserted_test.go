package flameconnect

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseSelfAssertedFixtures(t *testing.T) {
	tests := []struct {
		file    string
		outcome saOutcome
		code    string
		err     error
		anyErr  bool
	}{
		{file: "ok.json", outcome: saAccepted},
		{file: "wrong.json", outcome: saRejected, code: "AADB2C90053"},
		{file: "wrong_spaced.json", outcome: saRejected, code: "AADB2C90053"},
		{file: "numeric_bom.json", outcome: saAccepted},
		{file: "other.json", outcome: saOther, code: "AADB2C90255"},
		{file: "hostile_code.json", outcome: saRefused, code: ""},
		{file: "malformed.json", outcome: saRefused, code: "AADB2C90015"},
		{file: "locked.json", outcome: saRefused, code: "AADB2C90114"},
		{file: "invalid_credentials.json", outcome: saRejected, code: "AADB2C90225"},
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
		})
	}
}

func TestParseSelfAssertedInline(t *testing.T) {
	for _, body := range []string{`{"status":"400"}`, `{"status": "400"}`, "{\n\"status\"\t:\t\"400\"\n}", `{"message":"x","status":400}`} {
		if a, err := parseSelfAsserted([]byte(body)); err != nil || a.Outcome != saRejected {
			t.Errorf("%q: %+v, %v; want rejected", body, a, err)
		}
	}
	for _, body := range []string{"", "   ", "[]", `"200"`, "{", "null"} {
		if _, err := parseSelfAsserted([]byte(body)); err == nil {
			t.Errorf("%q: want an error", body)
		}
	}
}

// Only the wrong-credentials codes (and a 400 without a code) are a wrong
// password; any other 400 says nothing about it.
func TestSelfAssertedRejectionCodes(t *testing.T) {
	tests := []struct {
		body    string
		outcome saOutcome
		text    string
	}{
		{`{"status":"400","errorCode":"AADB2C90053"}`, saRejected, "AADB2C90053"},
		{`{"status":"400","errorCode":"AADB2C90054"}`, saRejected, "AADB2C90054"},
		{`{"status":"400","errorCode":"AADB2C90225"}`, saRejected, "AADB2C90225"},
		{`{"status":"400"}`, saRejected, "(no errorCode)"},
		{`{"status":"400","errorCode":""}`, saRejected, "(no errorCode)"},
		{`{"status":"400","errorCode":"AADB2C90015"}`, saRefused, "AADB2C90015"},
		{`{"status":"400","errorCode":"AADB2C90114"}`, saRefused, "AADB2C90114"},
		{`{"status":"400","errorCode":"<b>x</b>"}`, saRefused, "(unreadable errorCode)"},
		{`{"status":"400","errorCode":90053}`, saRefused, "90053"},
	}
	for _, tc := range tests {
		a, err := parseSelfAsserted([]byte(tc.body))
		if err != nil || a.Outcome != tc.outcome || a.codeText() != tc.text {
			t.Errorf("%s: %+v (%q), %v; want outcome %d, %q", tc.body, a, a.codeText(), err, tc.outcome, tc.text)
		}
	}
}
