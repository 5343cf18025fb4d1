package awsread

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tandem-ecs/tandem/internal/sandbox"
)

// BenchmarkCluster measures one Cluster read against moto through the
// sandbox's proxy, one call at a time and with the calls overlapped, on a
// small cluster (1 pool, 2 instances, 3 services, 6 tasks) and a larger one
// (2 pools, 50 instances, 20 services, 200 tasks); then again with 30 ms
// added to each request, about the round trip to a regional AWS endpoint,
// which is where overlapping pays. It reports the requests per read. The
// numbers are in README.md.
func BenchmarkCluster(b *testing.B) {
	sizes := []struct {
		name                 string
		pools, instances     int
		services, perService int
	}{
		{"small", 1, 2, 3, 2},
		{"50-instances", 2, 50, 20, 10},
	}
	for _, size := range sizes {
		for _, mode := range []struct {
			name     string
			parallel int
			rtt      time.Duration
		}{
			{"sequential", 1, 0}, {"concurrent", defaultParallel, 0},
			{"sequential+30ms", 1, 30 * time.Millisecond}, {"concurrent+30ms", defaultParallel, 30 * time.Millisecond},
		} {
			b.Run(size.name+"/"+mode.name, func(b *testing.B) {
				e := newEnv(b)
				e.createCluster(b, "bench")
				for p := range size.pools {
					n := int32(size.instances / size.pools)
					e.createPool(b, sandbox.Pool{Name: fmt.Sprintf("pool-%d", p), Cluster: "bench", MinSize: 0, MaxSize: 100, Desired: n})
				}
				td := e.taskDef(b, "tiny", 16, 32, -1)
				for i := range size.services {
					e.createService(b, &ecs.CreateServiceInput{
						Cluster: aws.String("bench"), ServiceName: aws.String(fmt.Sprintf("svc-%02d", i)), TaskDefinition: aws.String(td),
						DesiredCount: aws.Int32(int32(size.perService)), LaunchType: ecstypes.LaunchTypeEc2,
					})
				}
				e.step(b, 1)
				e.r.parallel = mode.parallel
				// Warm moto's lazy imports and caches before timing.
				if _, err := e.r.Cluster(e.ctx, "bench", nil); err != nil {
					b.Fatal(err)
				}
				e.rec.delay = mode.rtt
				e.rec.reset()
				reads := 0
				for b.Loop() {
					reads++
					c, err := e.r.Cluster(e.ctx, "bench", nil)
					if err != nil {
						b.Fatal(err)
					}
					if len(c.Snapshot.Tasks) != size.services*size.perService || len(c.Snapshot.ContainerInstances) != size.instances {
						b.Fatalf("read %d tasks, %d instances", len(c.Snapshot.Tasks), len(c.Snapshot.ContainerInstances))
					}
				}
				b.ReportMetric(float64(e.rec.count())/float64(reads), "requests/read")
			})
		}
	}
}
