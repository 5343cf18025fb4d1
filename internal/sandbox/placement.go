package sandbox

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// newTaskDef computes a task's reservation the way ECS does on EC2: the
// task-level cpu and memory when set, otherwise the sum over containers of
// cpu and of memoryReservation (or memory when there is no reservation).
// Static host ports are hostPort > 0 in bridge mode and the containerPort in
// host mode; awsvpc tasks use no host ports (ENI limits are not modelled).
func newTaskDef(td *ecstypes.TaskDefinition) *taskDef {
	d := &taskDef{arn: aws.ToString(td.TaskDefinitionArn), family: aws.ToString(td.Family)}
	var cpu, mem int
	for _, c := range td.ContainerDefinitions {
		d.containers = append(d.containers, aws.ToString(c.Name))
		cpu += int(c.Cpu)
		switch {
		case c.MemoryReservation != nil:
			mem += int(*c.MemoryReservation)
		case c.Memory != nil:
			mem += int(*c.Memory)
		default:
			d.noContainerMemory = true
		}
		for _, pm := range c.PortMappings {
			port := 0
			switch td.NetworkMode {
			case ecstypes.NetworkModeHost:
				port = int(aws.ToInt32(pm.ContainerPort))
			case ecstypes.NetworkModeBridge, "":
				port = int(aws.ToInt32(pm.HostPort))
			}
			if port <= 0 {
				continue
			}
			if pm.Protocol == ecstypes.TransportProtocolUdp {
				d.udpPorts = append(d.udpPorts, port)
			} else {
				d.tcpPorts = append(d.tcpPorts, port)
			}
		}
	}
	d.cpuUnits, d.memoryMiB = cpu, mem
	if v, ok := parseCPUUnits(aws.ToString(td.Cpu)); ok {
		d.cpuUnits = v
	}
	if v, ok := parseMemoryMiB(aws.ToString(td.Memory)); ok {
		d.memoryMiB = v
	}
	return d
}

// parseCPUUnits reads a task-level cpu: "1024" or "1 vCPU" / "0.25 vcpu".
func parseCPUUnits(s string) (int, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, false
	}
	if v, ok := strings.CutSuffix(s, "vcpu"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, false
		}
		return int(math.Round(f * 1024)), true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// parseMemoryMiB reads a task-level memory: "512" (MiB) or "1 GB" / "1gb".
func parseMemoryMiB(s string) (int, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, false
	}
	if v, ok := strings.CutSuffix(s, "gb"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, false
		}
		return int(math.Round(f * 1024)), true
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(s, "mb")))
	return n, err == nil
}

// Placement-failure reasons, as ECS reports them in SERVICE_TASK_PLACEMENT_FAILURE.
const (
	ReasonCPU         = "RESOURCE:CPU"
	ReasonMemory      = "RESOURCE:MEMORY"
	ReasonPorts       = "RESOURCE:PORTS"
	ReasonNoInstances = "NO_CONTAINER_INSTANCES"
	ReasonConstraint  = "CONSTRAINT:distinctInstance"
)

// used sums what the tasks on an instance reserve.
func (in *instanceView) used() (cpu, mem int, tcp, udp map[int]bool) {
	tcp, udp = map[int]bool{}, map[int]bool{}
	for p := range in.reservedTCP {
		tcp[p] = true
	}
	for p := range in.reservedUDP {
		udp[p] = true
	}
	for _, t := range in.tasks {
		cpu += t.def.cpuUnits
		mem += t.def.memoryMiB
		for _, p := range t.def.tcpPorts {
			tcp[p] = true
		}
		for _, p := range t.def.udpPorts {
			udp[p] = true
		}
	}
	return cpu, mem, tcp, udp
}

// fits tells whether def fits on the instance next to its tasks, and if not,
// which resource is short (checked in the order CPU, memory, ports).
func (in *instanceView) fits(def *taskDef) (bool, string) {
	cpu, mem, tcp, udp := in.used()
	if cpu+def.cpuUnits > in.cpuUnits {
		return false, ReasonCPU
	}
	if mem+def.memoryMiB > in.memoryMiB {
		return false, ReasonMemory
	}
	for _, p := range def.tcpPorts {
		if tcp[p] {
			return false, ReasonPorts
		}
	}
	for _, p := range def.udpPorts {
		if udp[p] {
			return false, ReasonPorts
		}
	}
	return true, ""
}

// placementFailure is why a service's task could not be placed.
type placementFailure struct {
	reason       string
	instanceARNs []string // the closest matching instance(s), as ECS names them
}

// choose picks an ACTIVE instance for one more task of a service: among the
// instances where it fits, the one running fewest tasks of that service, then
// the lowest EC2 instance id. When none fits it returns the failure of the
// first candidate (lowest instance id), as ECS reports "the closest matching
// container instance".
func choose(c *clusterView, service string, def *taskDef, distinct bool) (*instanceView, *placementFailure) {
	var fit []*instanceView
	var failure *placementFailure
	active := 0
	for _, in := range c.instances {
		if in.status != "ACTIVE" {
			continue
		}
		active++
		ok, reason := in.fits(def)
		if ok && distinct && countService(in, service) > 0 {
			ok, reason = false, ReasonConstraint
		}
		if ok {
			fit = append(fit, in)
		} else if failure == nil {
			failure = &placementFailure{reason: reason, instanceARNs: []string{in.arn}}
		}
	}
	if active == 0 {
		return nil, &placementFailure{reason: ReasonNoInstances}
	}
	if len(fit) == 0 {
		return nil, failure
	}
	sort.SliceStable(fit, func(i, j int) bool {
		ni, nj := countService(fit[i], service), countService(fit[j], service)
		if ni != nj {
			return ni < nj
		}
		return fit[i].ec2ID < fit[j].ec2ID
	})
	return fit[0], nil
}

func countService(in *instanceView, service string) int {
	n := 0
	for _, t := range in.tasks {
		if t.serviceName() == service {
			n++
		}
	}
	return n
}
