package tandemcdk

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
)

// stageCode writes the Lambda's code directory: the scaler's bootstrap and
// tandem.json beside it. It lives in the app's output directory (cdk.out),
// so it goes away with it; CDK then copies it into its own asset directory,
// hashed by content, so a change of configuration deploys new code.
func stageCode(scope constructs.Construct, codeDir string, document []byte) (string, error) {
	stage := awscdk.Stage_Of(scope)
	if stage == nil {
		return "", fmt.Errorf("stage code: %s is not inside an App or Stage", *scope.Node().Path())
	}
	dir := filepath.Join(*stage.Outdir(), "tandem-code-"+*awscdk.Names_UniqueId(scope))
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("stage code: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("stage code: %w", err)
	}
	if err := copyFile(filepath.Join(codeDir, "bootstrap"), filepath.Join(dir, "bootstrap"), 0o755); err != nil {
		return "", fmt.Errorf("stage code (run \"make build\" first?): %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, configFile), document, 0o644); err != nil {
		return "", fmt.Errorf("stage code: %w", err)
	}
	return dir, nil
}

func copyFile(from, to string, mode os.FileMode) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return dst.Close()
}
