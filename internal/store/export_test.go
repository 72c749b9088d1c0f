package store

// SetBeforeIndexWrite lets tests fail the index write of s.
func SetBeforeIndexWrite(s *Store, f func() error) { s.beforeIndexWrite = f }
