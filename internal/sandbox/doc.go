// Package sandbox runs tandem against emulated AWS: moto server for the AWS
// APIs, the AWS Lambda Runtime Interface Emulator (RIE) for the functions, and
// a harness in between that plays the parts of AWS that moto lacks. The
// integration tests and the demo program both use it; nothing in it talks to
// real AWS or needs credentials.
//
// The pieces, in the order a test meets them:
//
//   - Moto (StartMoto) is a moto_server process on a free loopback port, with
//     the ECS task transition set so tasks stay RUNNING. One per test binary
//     is enough: Reset wipes it between tests.
//
//   - Sandbox (New) is a reverse proxy in front of moto plus the harness
//     state. Every SDK client of the code under test talks to its URL
//     (Config for Go clients, LambdaEnv for a function). The proxy fixes
//     moto's answers where the Go SDK or ECS semantics need it, answers the
//     Auto Scaling lifecycle calls moto lacks, logs every write (Calls),
//     checks the safety invariant "never terminate an instance that runs
//     service tasks" (Violations), and can fail chosen calls (FailNext).
//
//   - Step is the simulated ECS container agent and service scheduler, one
//     reconciliation per call, deterministic: instances of the pools the
//     harness serves (CreatePool, WatchPool) register with their cluster,
//     terminated ones deregister, services get their tasks placed by the
//     harness's own CPU/memory/port accounting, rolling deployments and
//     draining follow minimumHealthyPercent and maximumPercent. What happened
//     comes out as EventBridge events (TakeEvents), shaped like AWS's, ready
//     to feed to the Lambda. BeginTermination simulates a scale-in tandem did
//     not start: the instance waits in Terminating:Wait until the function
//     completes its lifecycle action.
//
//   - Lambda (BuildBootstrap, StartLambda) is a function's bootstrap, built
//     natively with the production flags, running under RIE with exactly the
//     environment given. Invoke returns handler errors as *FunctionError;
//     Logs has the function's output. RIE serves one invocation at a time:
//     start one Lambda per concurrent caller.
//
// A test, end to end (package sandboxtest does the first two lines, with
// one moto_server per test binary):
//
//	sb, _ := sandbox.New(ctx, moto.Endpoint(), sandbox.Options{})
//	defer sb.Close()
//	ecsc := ecs.NewFromConfig(sb.Config())
//	ecsc.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c")})
//	sb.CreatePool(ctx, sandbox.Pool{Name: "web", Cluster: "c", MaxSize: 4, Desired: 1, TerminationHook: "drain"})
//	// ... register a task definition and create a service through ecsc ...
//	sb.Step(ctx) // the instance registers, tasks are placed
//	fn, _ := sandbox.StartLambda(ctx, sandbox.LambdaConfig{BootstrapPath: bootstrap, Env: sb.LambdaEnv()})
//	defer fn.Close()
//	for _, ev := range sb.TakeEvents() {
//		fn.Invoke(ctx, ev.JSON())
//	}
//	sb.Step(ctx) // the scaler's writes take effect
//	// assert on sb.Calls(), sb.Violations(), sb.Service("c", "web"), fn.Logs()
//
// README.md in this directory lists every way moto 5.2.1 differs from AWS
// that the harness works around, and the tests that rely on each.
package sandbox
