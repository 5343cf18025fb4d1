// Package stacks defines tandem's CDK app: a stack that deploys tandem for
// existing clusters from a configuration file, and a demo stack with a small
// ECS on EC2 cluster for tandem to scale. infra/app runs it; the tests in
// infra/tandemcdk synthesize it.
package stacks
