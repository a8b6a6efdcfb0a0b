package harness

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// procStat is the part of /proc/<pid>/stat the supervisor needs.
type procStat struct {
	pid, ppid, pgrp int
	state           byte
	cpuTicks        uint64 // utime + stime
}

// readProcStat parses /proc/<pid>/stat. The command name may hold spaces and
// parentheses, so fields are counted from its last ')'.
func readProcStat(pid int) (procStat, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(pid, data)
}

func parseProcStat(pid int, data []byte) (procStat, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 || end+2 > len(data) {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	// Fields after the name: state(3) ppid(4) pgrp(5) ... utime(14) stime(15).
	fields := bytes.Fields(data[end+1:])
	if len(fields) < 13 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	num := func(i int) uint64 {
		v, _ := strconv.ParseUint(string(fields[i]), 10, 64)
		return v
	}
	return procStat{
		pid:      pid,
		state:    fields[0][0],
		ppid:     int(num(1)),
		pgrp:     int(num(2)),
		cpuTicks: num(11) + num(12),
	}, nil
}

// groupMembers lists the live (non-zombie) processes of process group pgid.
func groupMembers(pgid int) ([]procStat, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var members []procStat
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readProcStat(pid)
		if err != nil || st.pgrp != pgid || st.state == 'Z' || st.state == 'X' {
			continue
		}
		members = append(members, st)
	}
	return members, nil
}

// groupCPUSeconds is the CPU time used so far by the live processes of a
// process group.
func groupCPUSeconds(pgid int) (float64, error) {
	members, err := groupMembers(pgid)
	if err != nil {
		return 0, err
	}
	var ticks uint64
	for _, m := range members {
		ticks += m.cpuTicks
	}
	return float64(ticks) / clockTicks, nil
}
