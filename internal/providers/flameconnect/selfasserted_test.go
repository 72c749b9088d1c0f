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
		{file: "hostile_code.json", outcome: saRejected, code: ""},
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
