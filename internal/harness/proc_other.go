//go:build !linux

package harness

import (
	"errors"
	"syscall"
)

var errNoProc = errors.New("process accounting needs Linux /proc")

type procStat struct {
	pid, ppid, pgrp int
	state           byte
	cpuTicks        uint64
}

func groupMembers(int) ([]procStat, error) { return nil, errNoProc }

func groupCPUSeconds(int) (float64, error) { return 0, errNoProc }

func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
