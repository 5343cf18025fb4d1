package tandem_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs fails when a package under cmd/, internal/, functions/ or
// infra/ lacks its package comment, or has more than one. The comment is where
// a reader learns what a package is for, so it is part of the build.
func TestPackageDocs(t *testing.T) {
	dirs := map[string]bool{}
	for _, root := range []string{"cmd", "internal", "functions", "infra"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "cdk.out") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
				dirs[filepath.Dir(path)] = true
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	if len(dirs) == 0 {
		t.Fatal("found no packages: is the test running from the module root?")
	}
	for dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		var documented []string
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Errorf("parse %s: %v", f, err)
				continue
			}
			if file.Doc != nil && strings.TrimSpace(file.Doc.Text()) != "" {
				documented = append(documented, filepath.Base(f))
			}
		}
		switch {
		case len(documented) == 0:
			t.Errorf("package %s has no package comment; add one (// Package x ...) to exactly one file", dir)
		case len(documented) > 1:
			t.Errorf("package %s has package comments in %d files (%s); keep exactly one", dir, len(documented), strings.Join(documented, ", "))
		}
	}
}
