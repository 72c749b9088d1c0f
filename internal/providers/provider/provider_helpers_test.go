package provider

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestSchemaInput(t *testing.T) {
	s := Schema{{Name: "username", Kind: Text}, {Name: "password", Kind: Password}}
	in := s.Input("1234567u", "pw")
	if len(in) != 2 || in["username"] != "1234567u" || in["password"] != "pw" {
		t.Fatalf("Input = %v", in)
	}
}

func TestTranslations(t *testing.T) {
	fsys := fstest.MapFS{"translations/en.json": {Data: []byte("{}")}}
	sub := Translations(fsys, "translations")
	if _, err := fs.Stat(sub, "en.json"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a bad dir did not panic")
		}
	}()
	Translations(fsys, "../x")
}
