package snapshot_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// files lists the files under dir (slash-separated, folders with a trailing
// slash), sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// contents maps each file under dir to its content.
func contents(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range files(t, dir) {
		if strings.HasSuffix(f, "/") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(data)
	}
	return out
}

// loadTiny loads the small snapshot with files replaced, added or removed.
func loadTiny(t *testing.T, edits map[string]*string) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Load(tinyWith(edits))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWriteDirReplacesTheWholeFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "snap")
	first := loadTiny(t, map[string]*string{
		snapshot.ClustersFile:          ptr(clustersJSON),
		snapshot.CapacityProvidersFile: ptr(capacityProvidersJSON),
		snapshot.InstancesFile:         ptr(instancesJSON),
		"task-definitions/api-1.json":  ptr(`{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:1", "family": "api", "revision": 1, "containerDefinitions": []}}`),
	})
	if err := first.WriteDir(dir); err != nil {
		t.Fatalf("WriteDir to a new folder: %v", err)
	}
	want := []string{
		"auto-scaling-groups.json", "capacity-providers.json", "clusters.json", "container-instances.json",
		"instance-types.json", "instances.json", "launch-template-versions.json", "services.json",
		"task-definitions/", "task-definitions/api-1.json", "task-definitions/web-3.json", "tasks.json",
	}
	if diff := cmp.Diff(want, files(t, dir)); diff != "" {
		t.Errorf("first snapshot's files (-want +got):\n%s", diff)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("new folder: %v, %v; want mode 0755", info.Mode(), err)
	}
	loaded, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, loaded, ignoreUnexported, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("first snapshot loaded back (-written +loaded):\n%s", diff)
	}

	// The second snapshot has no capacity providers and no instances, and
	// one task definition fewer: their files go.
	second := loadTiny(t, nil)
	if err := second.WriteDir(dir); err != nil {
		t.Fatalf("WriteDir over the first snapshot: %v", err)
	}
	want = []string{
		"auto-scaling-groups.json", "container-instances.json", "instance-types.json", "launch-template-versions.json",
		"services.json", "task-definitions/", "task-definitions/web-3.json", "tasks.json",
	}
	if diff := cmp.Diff(want, files(t, dir)); diff != "" {
		t.Errorf("second snapshot's files (-want +got):\n%s", diff)
	}
	back, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.CapacityProviders != nil || back.Reservations != nil || len(back.TaskDefinitions) != 1 {
		t.Errorf("loaded back: capacity providers %v, reservations %v, %d task definitions; want none, none and 1", back.CapacityProviders, back.Reservations, len(back.TaskDefinitions))
	}
	// Nothing is left beside the folder.
	if diff := cmp.Diff([]string{"snap/"}, topLevel(t, filepath.Dir(dir))); diff != "" {
		t.Errorf("beside the folder (-want +got):\n%s", diff)
	}
}

// topLevel lists the entries of dir, folders with a trailing slash.
func topLevel(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		out = append(out, name)
	}
	return out
}

func TestWriteDirKeepsAFolderMode(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := loadTiny(t, nil).WriteDir(dir); err != nil {
		t.Fatalf("WriteDir to an empty folder: %v", err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, %v; want 0700 as it was", info.Mode(), err)
	}
}

func TestWriteDirRefusesOtherFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		// what names the entry the error is about.
		what string
	}{
		{"a file of the user", func(t *testing.T, dir string) { write(t, dir, "notes.txt", "mine") }, "notes.txt"},
		{"a hidden file", func(t *testing.T, dir string) { write(t, dir, ".profile", "mine") }, ".profile"},
		{"a folder", func(t *testing.T, dir string) { mkdir(t, dir, "projects") }, "projects"},
		{"a README beside the task definitions", func(t *testing.T, dir string) { write(t, dir, "task-definitions/README.md", "mine") }, "task-definitions/README.md"},
		{"a folder in task-definitions", func(t *testing.T, dir string) { write(t, dir, "task-definitions/old/web-2.json", "{}") }, "task-definitions/old"},
		{"a file named like the task definitions folder", func(t *testing.T, dir string) {
			remove(t, dir, "task-definitions")
			write(t, dir, "task-definitions", "mine")
		}, "task-definitions"},
		{"a folder named like a snapshot file", func(t *testing.T, dir string) {
			remove(t, dir, "services.json")
			mkdir(t, dir, "services.json")
		}, "services.json"},
		{"a symbolic link named like a snapshot file", func(t *testing.T, dir string) {
			remove(t, dir, "tasks.json")
			if err := os.Symlink("/etc/hostname", filepath.Join(dir, "tasks.json")); err != nil {
				t.Skip(err)
			}
		}, "tasks.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// An earlier snapshot, and the entry that is not one of its files.
			if err := loadTiny(t, nil).WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, dir)
			before := files(t, dir)
			err := loadTiny(t, map[string]*string{snapshot.ClustersFile: ptr(clustersJSON)}).WriteDir(dir)
			if err == nil {
				t.Fatal("WriteDir succeeded, want a refusal")
			}
			for _, want := range []string{"will not replace " + dir, "it holds " + tt.what + ", which is not a snapshot file"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want it to contain %q", err, want)
				}
			}
			if diff := cmp.Diff(before, files(t, dir)); diff != "" {
				t.Errorf("the folder changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff([]string{filepath.Base(dir) + "/"}, topLevel(t, filepath.Dir(dir))); diff != "" {
				t.Errorf("beside the folder (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteDirNotAFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "snap")
	write(t, dir, "snap", "mine")
	err := loadTiny(t, nil).WriteDir(file)
	if err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("WriteDir(a file) = %v, want \"is not a folder\"", err)
	}
	if data, _ := os.ReadFile(file); string(data) != "mine" {
		t.Errorf("the file now holds %q", data)
	}
	if err := loadTiny(t, nil).WriteDir("/"); err == nil || !strings.Contains(err.Error(), "root folder") {
		t.Errorf("WriteDir(/) = %v, want a refusal naming the root folder", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Skip(err)
	}
	if err := loadTiny(t, nil).WriteDir(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("WriteDir(a symbolic link) = %v, want a refusal naming the link", err)
	}
}

func TestWriteDirFailureKeepsTheEarlierSnapshot(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "snap")
	if err := loadTiny(t, map[string]*string{snapshot.CapacityProvidersFile: ptr(capacityProvidersJSON)}).WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	before := contents(t, dir)

	broken := errors.New("no space left on device")
	n := 0
	restore := snapshot.SetWriteFile(func(name string, data []byte, perm fs.FileMode) error {
		if n++; n == 3 {
			return broken
		}
		return os.WriteFile(name, data, perm)
	})
	defer restore()
	err := loadTiny(t, map[string]*string{snapshot.ServicesFile: ptr(`{"services": []}`)}).WriteDir(dir)
	if !errors.Is(err, broken) {
		t.Fatalf("WriteDir with a failing write = %v, want the write's error", err)
	}
	if diff := cmp.Diff(before, contents(t, dir)); diff != "" {
		t.Errorf("the earlier snapshot changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"snap/"}, topLevel(t, parent)); diff != "" {
		t.Errorf("beside the folder (-want +got):\n%s", diff)
	}

	// A failing write to a new folder creates nothing.
	n = 0
	if err := loadTiny(t, nil).WriteDir(filepath.Join(parent, "new")); !errors.Is(err, broken) {
		t.Fatalf("WriteDir(new) with a failing write = %v, want the write's error", err)
	}
	if diff := cmp.Diff([]string{"snap/"}, topLevel(t, parent)); diff != "" {
		t.Errorf("after a failed first write (-want +got):\n%s", diff)
	}
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestWriteDirTaskDefinitionNames: every task definition gets its own file,
// within the file system's limit on names, and all load back.
func TestWriteDirTaskDefinitionNames(t *testing.T) {
	long := strings.Repeat("f", 255) // the longest family ECS takes
	tds := []snapshot.TaskDefinition{
		{TaskDefinitionARN: "arn:aws:ecs:us-east-1:123456789012:task-definition/" + long + ":1", Family: long, Revision: 1},
		{TaskDefinitionARN: "arn:aws:ecs:us-east-1:123456789012:task-definition/" + long + "g:1", Family: long + "g", Revision: 1},
		// Not ECS's own names, but a snapshot may hold anything: both
		// clean to web-1.json.
		{TaskDefinitionARN: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1", Family: "web", Revision: 1},
		{TaskDefinitionARN: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1", Family: "web", Revision: 1},
	}
	s := &snapshot.Snapshot{TaskDefinitions: tds}
	dir := filepath.Join(t.TempDir(), "snap")
	if err := s.WriteDir(dir); err != nil {
		t.Fatalf("WriteDir: %v", err)
	}
	names := files(t, filepath.Join(dir, "task-definitions"))
	if len(names) != len(tds) {
		t.Errorf("task definition files %q, want %d", names, len(tds))
	}
	for _, n := range names {
		if len(n) > 255 {
			t.Errorf("file name of %d bytes: %s", len(n), n)
		}
	}
	back, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, td := range back.TaskDefinitions {
		got = append(got, td.TaskDefinitionARN)
	}
	var want []string
	for _, td := range tds {
		want = append(want, td.TaskDefinitionARN)
	}
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("task definitions loaded back (-written +loaded):\n%s", diff)
	}
}
