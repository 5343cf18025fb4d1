//go:build !linux

package sandbox

import "syscall"

// childProcAttr puts a child in its own process group so Close can signal all
// of it. Outside Linux there is no parent-death signal: a crashed test can
// leave moto_server behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
