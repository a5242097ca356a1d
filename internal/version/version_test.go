package version

import (
	"runtime/debug"
	"testing"
)

func TestInfoString(t *testing.T) {
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"stamped", debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "4b127d6c1a2fdeadbeef"}, {Key: "vcs.modified", Value: "false"}}}, "v1.2.3 4b127d6c1a2f"},
		{"dirty", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "4b127d6c1a2fdeadbeef"}, {Key: "vcs.modified", Value: "true"}}}, "(devel) 4b127d6c1a2f+dirty"},
		{"pseudo-version", debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202050232-4b127d6c1a2f+dirty"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "4b127d6c1a2fdeadbeef"}, {Key: "vcs.modified", Value: "true"}}}, "v0.0.0-20261202050232-4b127d6c1a2f+dirty"},
		{"no vcs", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"nothing", debug.BuildInfo{}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromBuildInfo(&tt.bi).String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStringNotEmpty(t *testing.T) {
	if String() == "" {
		t.Error("String() is empty")
	}
}
