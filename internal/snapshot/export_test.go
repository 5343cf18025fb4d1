package snapshot

import "io/fs"

// SetWriteFile replaces the function WriteDir writes each file with, so a
// test can make a write fail halfway, and returns what puts it back.
func SetWriteFile(f func(name string, data []byte, perm fs.FileMode) error) (restore func()) {
	saved := writeFile
	writeFile = f
	return func() { writeFile = saved }
}
