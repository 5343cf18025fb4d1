// Package placement is tandem's estimator: a pure simulation of Amazon ECS
// task placement on a cluster that sizes the cluster's Auto Scaling groups.
// It models what ECS does (CPU, memory, GPUs, host ports, ENIs, placement
// constraints and strategies, daemons, rolling deployments, capacity
// providers), counts instances already launching or ordered so the same
// demand never scales twice, says why tasks cannot be placed, and chooses
// the instances scale-in may drain. It does no I/O, reads no clock and does
// not log. README.md in this folder draws the pipeline and defines the
// vocabulary.
package placement
