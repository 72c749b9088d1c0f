//go:build !unix

package store

// tightenDir does nothing where Unix modes do not apply (Windows keeps
// the config dir under the user's profile, private by its ACL).
func tightenDir(string) {}
