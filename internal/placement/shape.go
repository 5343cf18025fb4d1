package placement

import "slices"

// Shape is what one task takes from the instance it runs on.
type Shape struct {
	CPUUnits  int64
	MemoryMiB int64
	GPUs      int64
	// ENIs is 1 for awsvpc tasks: each gets its own network interface.
	ENIs int64
	// PortsTCP and PortsUDP are the static host ports, sorted, without
	// duplicates. Dynamic host ports never conflict and are not listed.
	PortsTCP []int
	PortsUDP []int
}

// HasPorts reports whether the shape needs any static host port.
func (s Shape) HasPorts() bool { return len(s.PortsTCP) > 0 || len(s.PortsUDP) > 0 }

// Shape returns what one task of this definition takes from an instance
// (task_definition_parameters.md):
//   - CPU and memory: the task-level values when set; otherwise the sum over
//     containers of cpu, and of memoryReservation, else memory;
//   - GPUs: the sum of the containers' GPU resource requirements;
//   - static host ports: in bridge mode (the default) a hostPort above zero;
//     in host mode the hostPort, which equals the container port, or the
//     container port when hostPort is unset; awsvpc and none use no host port;
//   - one ENI in awsvpc mode.
func (td TaskDefinition) Shape() Shape {
	var s Shape
	for _, c := range td.Containers {
		s.CPUUnits += c.CPUUnits
		if c.MemoryReservationMiB > 0 {
			s.MemoryMiB += c.MemoryReservationMiB
		} else {
			s.MemoryMiB += c.MemoryMiB
		}
		s.GPUs += c.GPUs
		for _, pm := range c.PortMappings {
			port := staticHostPort(td.NetworkMode, pm)
			if port <= 0 {
				continue
			}
			if pm.Protocol == UDP {
				s.PortsUDP = append(s.PortsUDP, port)
			} else {
				s.PortsTCP = append(s.PortsTCP, port)
			}
		}
	}
	if td.CPUUnits > 0 {
		s.CPUUnits = td.CPUUnits
	}
	if td.MemoryMiB > 0 {
		s.MemoryMiB = td.MemoryMiB
	}
	if td.NetworkMode == AWSVPC {
		s.ENIs = 1
	}
	slices.Sort(s.PortsTCP)
	s.PortsTCP = slices.Compact(s.PortsTCP)
	slices.Sort(s.PortsUDP)
	s.PortsUDP = slices.Compact(s.PortsUDP)
	return s
}

// staticHostPort returns the host port a mapping reserves, or 0 when it
// reserves none (a dynamic port, or a mode without host ports).
func staticHostPort(mode NetworkMode, pm PortMapping) int {
	switch mode {
	case Host:
		if pm.HostPort > 0 {
			return pm.HostPort
		}
		return pm.ContainerPort
	case AWSVPC, None:
		return 0
	default: // bridge, or unset, which means bridge
		return pm.HostPort
	}
}
