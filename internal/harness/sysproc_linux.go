package harness

import "syscall"

// sysProcAttr puts the command in a process group of its own, so that one
// kill reaches all its processes, and kills it if pyrace itself dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
