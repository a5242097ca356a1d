//go:build !linux

package bench

import "time"

// peakRSS is not measured on this system.
func peakRSS() int64 { return 0 }

// cpuTime is not measured on this system.
func cpuTime() time.Duration { return 0 }
