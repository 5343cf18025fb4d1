package scaler

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/tandem-ecs/tandem/internal/config"
)

// LoadConfig reads the configuration document named by the environment:
// TANDEM_CONFIG holds it inline, or TANDEM_CONFIG_FILE names a file
// (relative paths are taken from LAMBDA_TASK_ROOT, where CDK puts it next
// to bootstrap). The Lambda needs a state table.
func LoadConfig(getenv func(string) string) (*config.Document, error) {
	var doc *config.Document
	var err error
	switch inline, file := getenv("TANDEM_CONFIG"), getenv("TANDEM_CONFIG_FILE"); {
	case inline != "" && file != "":
		return nil, errors.New("set TANDEM_CONFIG or TANDEM_CONFIG_FILE, not both")
	case inline != "":
		doc, err = config.Parse("TANDEM_CONFIG", []byte(inline))
	case file != "":
		if !filepath.IsAbs(file) {
			file = filepath.Join(getenv("LAMBDA_TASK_ROOT"), file)
		}
		doc, err = config.ReadFile(file)
	default:
		return nil, errors.New("no configuration: set TANDEM_CONFIG (the JSON document) or TANDEM_CONFIG_FILE (its path)")
	}
	if err != nil {
		return nil, err
	}
	if doc.StateTable == "" {
		return nil, &config.Error{Source: "configuration", Field: "stateTable", Msg: "the Lambda needs a DynamoDB table for its state"}
	}
	return doc, nil
}

// LogLevel reads TANDEM_LOG_LEVEL, else AWS_LAMBDA_LOG_LEVEL (DEBUG, INFO,
// WARN, ERROR); INFO by default.
func LogLevel(getenv func(string) string) slog.Level {
	v := getenv("TANDEM_LOG_LEVEL")
	if v == "" {
		v = getenv("AWS_LAMBDA_LOG_LEVEL")
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(v))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// Fatal writes one actionable error line and exits: the Lambda's init
// failed.
func Fatal(msg string, err error) {
	slog.New(slog.NewJSONHandler(os.Stdout, nil)).Error(msg, "error", err.Error())
	fmt.Fprintln(os.Stderr, msg+": "+err.Error())
	os.Exit(1)
}
