//go:build linux

package sandbox

import "syscall"

// childProcAttr puts a child in its own process group, so Close can signal
// everything it spawned (moto_server is often a pyenv shim that execs Python),
// and asks the kernel to kill it if the Go process dies first. Pdeathsig fires
// when the OS thread that started the child exits; the Go runtime keeps its
// threads, so in practice that means "when this process exits".
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
