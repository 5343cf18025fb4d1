package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// writeFile writes one file of a snapshot; tests replace it to make a write
// fail halfway.
var writeFile = os.WriteFile

// WriteDir writes the snapshot as the folder dir, which Load reads back,
// each file shaped as the AWS CLI prints it. Optional files the snapshot has
// nothing for are left out.
//
// The folder is replaced as a whole: the files are written to a new folder
// beside dir (named .NAME.tandem-*), which then takes dir's place. So dir
// holds exactly the new snapshot's files, none of an earlier one, and if
// writing fails dir is left as it was. A dir that exists must hold nothing
// but snapshot files (those a snapshot folder may hold, see isSnapshotFile):
// anything else, such as the wrong folder named by mistake, is an error, and
// nothing is deleted.
func (s *Snapshot) WriteDir(dir string) error {
	abs, old, err := checkDir(dir)
	if err != nil {
		return err
	}
	parent, name := filepath.Split(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create snapshot folder: %w", err)
	}
	work, err := os.MkdirTemp(parent, "."+name+".tandem-*")
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	defer os.RemoveAll(work)
	fresh := filepath.Join(work, "new")
	if err := s.writeFiles(fresh); err != nil {
		return err
	}
	mode := fs.FileMode(0o755)
	if old != nil {
		mode = old.Mode().Perm()
	}
	if err := os.Chmod(fresh, mode); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if old == nil {
		if err := os.Rename(fresh, abs); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
		return nil
	}
	// Two renames, the earlier snapshot moved aside first: between them dir
	// is briefly absent, never half written. If the second fails the first
	// is undone.
	aside := filepath.Join(work, "old")
	if err := os.Rename(abs, aside); err != nil {
		return fmt.Errorf("replace snapshot folder %s: %w", dir, err)
	}
	if err := os.Rename(fresh, abs); err != nil {
		if undo := os.Rename(aside, abs); undo != nil {
			return fmt.Errorf("replace snapshot folder %s: %w; the earlier snapshot is in %s", dir, err, aside)
		}
		return fmt.Errorf("replace snapshot folder %s: %w", dir, err)
	}
	return nil
}

// CheckDir returns the error WriteDir would refuse dir with, if any: dir
// is not a folder, or holds something that is not a snapshot file. A
// command calls it before a long read, to refuse at once.
func CheckDir(dir string) error {
	_, _, err := checkDir(dir)
	return err
}

// checkDir checks that WriteDir may replace dir, and returns its absolute
// path and, when it exists, its file info.
func checkDir(dir string) (abs string, old fs.FileInfo, err error) {
	abs, err = filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("snapshot folder %s: %w", dir, err)
	}
	if filepath.Base(abs) == string(filepath.Separator) || filepath.Dir(abs) == abs {
		return "", nil, fmt.Errorf("snapshot folder %s: will not replace the root folder; name a folder for the snapshot", dir)
	}
	old, err = os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return abs, nil, nil
	case err != nil:
		return "", nil, fmt.Errorf("snapshot folder: %w", err)
	case old.Mode()&fs.ModeSymlink != 0:
		return "", nil, fmt.Errorf("snapshot folder %s is a symbolic link; name the folder it points to", dir)
	case !old.IsDir():
		return "", nil, fmt.Errorf("snapshot folder %s is not a folder", dir)
	}
	return abs, old, checkSnapshotFolder(abs, dir)
}

// writeFiles writes the snapshot's files into the new folder dir.
func (s *Snapshot) writeFiles(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, TaskDefinitionsDir), 0o755); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	type file struct {
		name string
		body any
	}
	files := []file{
		{ServicesFile, map[string]any{"services": orEmpty(s.Services), "failures": []any{}}},
		{ContainerInstancesFile, map[string]any{"containerInstances": orEmpty(s.ContainerInstances), "failures": []any{}}},
		{TasksFile, map[string]any{"tasks": orEmpty(s.Tasks), "failures": []any{}}},
		{AutoScalingGroupsFile, map[string]any{"AutoScalingGroups": orEmpty(s.AutoScalingGroups)}},
		{InstanceTypesFile, map[string]any{"InstanceTypes": orEmpty(s.InstanceTypes)}},
		{LaunchTemplateVersionsFile, map[string]any{"LaunchTemplateVersions": orEmpty(s.LaunchTemplateVersions)}},
	}
	if len(s.Clusters) > 0 {
		files = append(files, file{ClustersFile, map[string]any{"clusters": s.Clusters, "failures": []any{}}})
	}
	if len(s.CapacityProviders) > 0 {
		files = append(files, file{CapacityProvidersFile, map[string]any{"capacityProviders": s.CapacityProviders, "failures": []any{}}})
	}
	if len(s.Reservations) > 0 {
		files = append(files, file{InstancesFile, map[string]any{"Reservations": s.Reservations}})
	}
	used := map[string]bool{}
	for _, td := range s.TaskDefinitions {
		name := uniqueName(taskDefinitionFile(td), used)
		files = append(files, file{filepath.Join(TaskDefinitionsDir, name), map[string]any{"taskDefinition": td}})
	}
	for _, f := range files {
		data, err := json.MarshalIndent(f.body, "", "    ")
		if err != nil {
			return fmt.Errorf("encode %s: %w", f.name, err)
		}
		if err := writeFile(filepath.Join(dir, f.name), append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
	}
	return nil
}

// isSnapshotFile reports whether name, a slash-separated path inside a
// snapshot folder, is one of the files a snapshot folder holds: the named
// files, the task-definitions folder, and the .json files in it.
func isSnapshotFile(name string, isDir bool) bool {
	switch name {
	case ServicesFile, ContainerInstancesFile, TasksFile, AutoScalingGroupsFile, InstanceTypesFile,
		LaunchTemplateVersionsFile, ClustersFile, CapacityProvidersFile, InstancesFile:
		return !isDir
	case TaskDefinitionsDir:
		return isDir
	}
	rest, ok := strings.CutPrefix(name, TaskDefinitionsDir+"/")
	return ok && !isDir && !strings.Contains(rest, "/") && strings.HasSuffix(rest, ".json")
}

// checkSnapshotFolder returns an error naming the first entry of the
// folder abs (given as dir) that is not a snapshot file.
func checkSnapshotFolder(abs, dir string) error {
	return filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("snapshot folder: %w", err)
		}
		if path == abs {
			return nil
		}
		rel, err := filepath.Rel(abs, path)
		if err != nil {
			return fmt.Errorf("snapshot folder: %w", err)
		}
		rel = filepath.ToSlash(rel)
		regular := d.Type().IsRegular() || d.IsDir()
		if !regular || !isSnapshotFile(rel, d.IsDir()) {
			return fmt.Errorf("will not replace %s: it holds %s, which is not a snapshot file (the snapshot replaces the whole folder: name a new folder, or one that holds only an earlier snapshot)", dir, rel)
		}
		return nil
	})
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// maxNameBytes keeps a task definition's file name within the 255 bytes
// file systems allow: a family may be 255 characters long.
const maxNameBytes = 200

// taskDefinitionFile names a task definition's file: family-revision.json,
// the family cut short if it is very long.
func taskDefinitionFile(td TaskDefinition) string {
	rev := fmt.Sprintf("-%d", td.Revision)
	name := td.Family
	if td.Family == "" {
		rev = ""
		name = td.TaskDefinitionARN
		if rest, ok := arnResource(td.TaskDefinitionARN, "task-definition/"); ok {
			name = rest
		}
	}
	name = unsafeFileChars.ReplaceAllString(name, "-")
	if len(name)+len(rev) > maxNameBytes {
		name = name[:max(maxNameBytes-len(rev), 0)]
	}
	return name + rev + ".json"
}

// uniqueName returns name, or name with a number added if used holds it
// already, and marks it used: two task definitions whose names clean or
// cut to the same file must not overwrite each other.
func uniqueName(name string, used map[string]bool) string {
	base := strings.TrimSuffix(name, ".json")
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s_%d.json", base, i)
	}
	used[name] = true
	return name
}
