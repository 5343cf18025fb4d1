package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"
)

// The files of a snapshot folder, and the AWS CLI call that prints each.
const (
	ServicesFile               = "services.json"
	TaskDefinitionsDir         = "task-definitions"
	ContainerInstancesFile     = "container-instances.json"
	TasksFile                  = "tasks.json"
	AutoScalingGroupsFile      = "auto-scaling-groups.json"
	InstanceTypesFile          = "instance-types.json"
	LaunchTemplateVersionsFile = "launch-template-versions.json"
	ClustersFile               = "clusters.json"           // optional
	CapacityProvidersFile      = "capacity-providers.json" // optional
	InstancesFile              = "instances.json"          // optional
)

// sources says which CLI command prints each file, for error messages.
func source(file string) string {
	switch file {
	case ServicesFile:
		return "aws ecs describe-services"
	case ContainerInstancesFile:
		return "aws ecs describe-container-instances"
	case TasksFile:
		return "aws ecs describe-tasks"
	case AutoScalingGroupsFile:
		return "aws autoscaling describe-auto-scaling-groups"
	case InstanceTypesFile:
		return "aws ec2 describe-instance-types"
	case LaunchTemplateVersionsFile:
		return "aws ec2 describe-launch-template-versions"
	case ClustersFile:
		return "aws ecs describe-clusters --include SETTINGS"
	case CapacityProvidersFile:
		return "aws ecs describe-capacity-providers"
	case InstancesFile:
		return "aws ec2 describe-instances"
	}
	return "aws ecs describe-task-definition"
}

// Error is a problem with one file of a snapshot. Field is a path into the
// file's JSON, such as services[2].desiredCount, when one field is at fault.
type Error struct {
	File  string
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %v", e.File, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// LoadDir reads the snapshot folder dir.
func LoadDir(dir string) (*Snapshot, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot folder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("snapshot folder %s is not a folder", dir)
	}
	return Load(os.DirFS(dir))
}

// Load reads a snapshot from fsys. Each file holds what the AWS CLI prints
// for its call: one JSON object, or several (one per page) whose arrays are
// merged. Unknown fields are ignored.
func Load(fsys fs.FS) (*Snapshot, error) {
	s := &Snapshot{taskDefFiles: map[string]string{}}
	var err error
	if s.Services, err = readList[Service](fsys, ServicesFile, "services", true); err != nil {
		return nil, err
	}
	if s.ContainerInstances, err = readList[ContainerInstance](fsys, ContainerInstancesFile, "containerInstances", true); err != nil {
		return nil, err
	}
	if s.Tasks, err = readList[Task](fsys, TasksFile, "tasks", true); err != nil {
		return nil, err
	}
	if s.AutoScalingGroups, err = readList[AutoScalingGroup](fsys, AutoScalingGroupsFile, "AutoScalingGroups", true); err != nil {
		return nil, err
	}
	if s.InstanceTypes, err = readList[InstanceTypeInfo](fsys, InstanceTypesFile, "InstanceTypes", true); err != nil {
		return nil, err
	}
	if s.LaunchTemplateVersions, err = readList[LaunchTemplateVersion](fsys, LaunchTemplateVersionsFile, "LaunchTemplateVersions", true); err != nil {
		return nil, err
	}
	if s.Clusters, err = readList[Cluster](fsys, ClustersFile, "clusters", false); err != nil {
		return nil, err
	}
	if s.CapacityProviders, err = readList[CapacityProvider](fsys, CapacityProvidersFile, "capacityProviders", false); err != nil {
		return nil, err
	}
	if s.Reservations, err = readList[Reservation](fsys, InstancesFile, "Reservations", false); err != nil {
		return nil, err
	}
	for i, r := range s.Reservations {
		for j, in := range r.Instances {
			if in.InstanceID == "" {
				return nil, &Error{File: InstancesFile, Field: fmt.Sprintf("Reservations[%d].Instances[%d].InstanceId", i, j), Err: errors.New("missing")}
			}
		}
	}
	if err := s.readTaskDefinitions(fsys); err != nil {
		return nil, err
	}
	return s, nil
}

// InstanceTags returns the EC2 tags of the instances of instances.json, by
// instance ID; nil without the file.
func (s *Snapshot) InstanceTags() map[string]map[string]string {
	if s.Reservations == nil {
		return nil
	}
	out := map[string]map[string]string{}
	for _, r := range s.Reservations {
		for _, in := range r.Instances {
			tags := map[string]string{}
			for _, t := range in.Tags {
				tags[t.Key] = t.Value
			}
			out[in.InstanceID] = tags
		}
	}
	return out
}

func (s *Snapshot) readTaskDefinitions(fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, TaskDefinitionsDir)
	if errors.Is(err, fs.ErrNotExist) {
		if len(s.Services) == 0 {
			return nil
		}
		return &Error{File: TaskDefinitionsDir + "/", Err: fmt.Errorf("missing; it holds one file per task definition in use, each the output of %s", source(""))}
	}
	if err != nil {
		return &Error{File: TaskDefinitionsDir + "/", Err: err}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		file := path.Join(TaskDefinitionsDir, e.Name())
		values, err := readValues(fsys, file, true)
		if err != nil {
			return err
		}
		for _, v := range values {
			raw, err := field(file, v, "taskDefinition")
			if err != nil {
				return err
			}
			var td TaskDefinition
			if err := json.Unmarshal(raw, &td); err != nil {
				return fieldError(file, "taskDefinition", raw, err)
			}
			if td.TaskDefinitionARN == "" {
				return &Error{File: file, Field: "taskDefinition.taskDefinitionArn", Err: errors.New("missing")}
			}
			s.TaskDefinitions = append(s.TaskDefinitions, td)
			s.taskDefFiles[td.TaskDefinitionARN] = file
		}
	}
	return nil
}

// readList reads the array under key from every JSON object in file.
func readList[T any](fsys fs.FS, file, key string, required bool) ([]T, error) {
	values, err := readValues(fsys, file, required)
	if err != nil || values == nil {
		return nil, err
	}
	out := []T{}
	for _, v := range values {
		raw, err := field(file, v, key)
		if err != nil {
			return nil, err
		}
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, &Error{File: file, Field: key, Err: fmt.Errorf("want an array, got %s", kind(raw))}
		}
		for _, elem := range elems {
			var t T
			if err := json.Unmarshal(elem, &t); err != nil {
				// out holds every element before this one, of this page
				// and of the pages before it: its length is the index.
				return nil, fieldError(file, fmt.Sprintf("%s[%d]", key, len(out)), elem, err)
			}
			out = append(out, t)
		}
		out = out[:len(out):len(out)]
	}
	return out, nil
}

// utf8BOM is the UTF-8 encoding of U+FEFF, the byte-order mark.
const utf8BOM = "\xef\xbb\xbf"

// readValues reads the JSON objects of a file. A missing optional file
// gives nil. A leading UTF-8 byte-order mark is skipped.
func readValues(fsys fs.FS, file string, required bool) ([]map[string]json.RawMessage, error) {
	data, err := fs.ReadFile(fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		if !required {
			return nil, nil
		}
		return nil, &Error{File: file, Err: fmt.Errorf("missing; it holds the output of %s --output json", source(file))}
	}
	if err != nil {
		return nil, &Error{File: file, Err: err}
	}
	// PowerShell writes UTF-8 with a byte-order mark, which JSON does not
	// allow; it says nothing, so it goes. UTF-16 would need decoding: it is
	// named instead, with what to do.
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return nil, &Error{File: file, Err: errors.New("encoded as UTF-16 (as Windows PowerShell's > writes it); save it as UTF-8, e.g. with Out-File -Encoding utf8")}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var values []map[string]json.RawMessage
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &Error{File: file, Err: syntaxError(data, err)}
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			return nil, &Error{File: file, Err: fmt.Errorf("want a JSON object as %s prints it, got %s", source(file), kind(raw))}
		}
		values = append(values, obj)
	}
	if len(values) == 0 {
		return nil, &Error{File: file, Err: fmt.Errorf("empty; it holds the output of %s --output json", source(file))}
	}
	return values, nil
}

func field(file string, obj map[string]json.RawMessage, key string) (json.RawMessage, error) {
	raw, ok := obj[key]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, &Error{File: file, Err: fmt.Errorf("no %q in the object; is this the output of %s?", key, source(file))}
	}
	return raw, nil
}

// fieldError turns a decoding error of raw into an Error naming the field.
func fieldError(file, prefix string, raw []byte, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := prefix
		if p := jsonPath(raw, te.Offset); p != "" {
			f += p
		} else if te.Field != "" {
			f += "." + te.Field
		}
		if te.Type == reflect.TypeFor[Time]() {
			return &Error{File: file, Field: f, Err: fmt.Errorf("timestamp %s is neither ISO 8601 nor epoch seconds", te.Value)}
		}
		return &Error{File: file, Field: f, Err: fmt.Errorf("want %s, got %s", jsonKind(te.Type.Kind().String()), te.Value)}
	}
	return &Error{File: file, Field: prefix, Err: err}
}

// jsonPath returns the path, such as .registeredResources[0].integerValue,
// of the value of raw that ends at offset, or "" when it cannot tell.
// (encoding/json names fields without array indexes.)
func jsonPath(raw []byte, offset int64) string {
	if offset <= 0 {
		return ""
	}
	type level struct {
		array bool
		index int
		key   string
	}
	var stack []level
	path := func() string {
		var b strings.Builder
		for _, l := range stack {
			if l.array {
				fmt.Fprintf(&b, "[%d]", l.index-1)
			} else {
				b.WriteString("." + l.key)
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			expectKey = len(stack) > 0 && !stack[len(stack)-1].array
			continue
		}
		if expectKey {
			key, _ := tok.(string)
			stack[len(stack)-1].key = key
			expectKey = false
			continue
		}
		if len(stack) > 0 && stack[len(stack)-1].array {
			stack[len(stack)-1].index++
		}
		p := path()
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, level{array: d == '['})
			expectKey = d == '{'
		} else {
			expectKey = len(stack) > 0 && !stack[len(stack)-1].array
		}
		if dec.InputOffset() >= offset {
			return p
		}
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return goKind
}

func kind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// syntaxError adds the line and column to a JSON syntax error.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("invalid JSON: unexpected end of file")
		}
		return fmt.Errorf("invalid JSON: %w", err)
	}
	// Offset counts the bytes read, the one at fault included.
	at := min(max(int(se.Offset)-1, 0), len(data))
	line := 1 + bytes.Count(data[:at], []byte("\n"))
	col := at - bytes.LastIndexByte(data[:at], '\n')
	return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
}
