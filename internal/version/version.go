// Package version reports which cnnlab build is running: the module version
// and the VCS revision that the Go toolchain stamps into the binary. Results
// files (results.json, run.json, bench JSON, weights files) record it, and
// "cnnlab version" prints it.
package version

import (
	"runtime/debug"
	"strings"
)

// Info is what the build info says about the running binary.
type Info struct {
	Module   string // module path, e.g. "github.com/cnnlab/cnnlab"
	Version  string // module version, e.g. "v0.3.0" or "(devel)"
	Revision string // VCS revision (full hash), "" when not stamped (go test, go run)
	Time     string // VCS commit time (RFC 3339), "" when not stamped
	Modified bool   // the work tree had uncommitted changes
	Go       string // Go toolchain version
}

// Read returns the build info of the running binary; ok is false when the
// binary carries none.
func Read() (info Info, ok bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{}, false
	}
	return fromBuildInfo(bi), true
}

// fromBuildInfo extracts Info from the toolchain's build info.
func fromBuildInfo(bi *debug.BuildInfo) Info {
	info := Info{Module: bi.Main.Path, Version: bi.Main.Version, Go: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

// String formats the version in one word or two: the module version, then,
// unless the version is a pseudo-version that holds it, the first 12 digits
// of the revision with "+dirty" for a modified tree, e.g.
// "(devel) 4b127d6c1a2f+dirty"; "unknown" without build info.
func (i Info) String() string {
	v := i.Version
	rev := i.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" && !strings.Contains(v, rev) { // pseudo-versions hold the revision already
		v += " " + rev
		if i.Modified {
			v += "+dirty"
		}
	}
	if v = strings.TrimSpace(v); v == "" {
		return "unknown"
	}
	return v
}

// String returns the running binary's version as [Info.String] formats it,
// or "unknown" without build info.
func String() string {
	info, ok := Read()
	if !ok {
		return "unknown"
	}
	return info.String()
}
