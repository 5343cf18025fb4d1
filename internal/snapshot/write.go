package snapshot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// WriteDir writes the snapshot as a folder that Load reads back, each file
// shaped as the AWS CLI prints it. Files that exist are replaced; the
// folder is created when missing.
func (s *Snapshot) WriteDir(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, TaskDefinitionsDir), 0o755); err != nil {
		return fmt.Errorf("create snapshot folder: %w", err)
	}
	files := []struct {
		name string
		body any
	}{
		{ServicesFile, map[string]any{"services": orEmpty(s.Services), "failures": []any{}}},
		{ContainerInstancesFile, map[string]any{"containerInstances": orEmpty(s.ContainerInstances), "failures": []any{}}},
		{TasksFile, map[string]any{"tasks": orEmpty(s.Tasks), "failures": []any{}}},
		{AutoScalingGroupsFile, map[string]any{"AutoScalingGroups": orEmpty(s.AutoScalingGroups)}},
		{InstanceTypesFile, map[string]any{"InstanceTypes": orEmpty(s.InstanceTypes)}},
		{LaunchTemplateVersionsFile, map[string]any{"LaunchTemplateVersions": orEmpty(s.LaunchTemplateVersions)}},
	}
	if len(s.Clusters) > 0 {
		files = append(files, struct {
			name string
			body any
		}{ClustersFile, map[string]any{"clusters": s.Clusters, "failures": []any{}}})
	}
	if len(s.CapacityProviders) > 0 {
		files = append(files, struct {
			name string
			body any
		}{CapacityProvidersFile, map[string]any{"capacityProviders": s.CapacityProviders, "failures": []any{}}})
	}
	for _, td := range s.TaskDefinitions {
		files = append(files, struct {
			name string
			body any
		}{filepath.Join(TaskDefinitionsDir, taskDefinitionFile(td)), map[string]any{"taskDefinition": td}})
	}
	for _, f := range files {
		data, err := json.MarshalIndent(f.body, "", "    ")
		if err != nil {
			return fmt.Errorf("encode %s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
	}
	return nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// taskDefinitionFile names a task definition's file: family-revision.json.
func taskDefinitionFile(td TaskDefinition) string {
	name := fmt.Sprintf("%s-%d", td.Family, td.Revision)
	if td.Family == "" {
		name = td.TaskDefinitionARN
		if rest, ok := arnResource(td.TaskDefinitionARN, "task-definition/"); ok {
			name = rest
		}
	}
	return unsafeFileChars.ReplaceAllString(name, "-") + ".json"
}
