// Package sandbox runs tandem against emulated AWS.
package sandbox
