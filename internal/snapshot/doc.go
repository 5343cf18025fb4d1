// Package snapshot reads and writes the on-disk form of a cluster snapshot:
// a folder of JSON files, each exactly what AWS CLI v2 prints with
// --output json for one call (describe-services, describe-task-definition,
// describe-container-instances, describe-tasks, describe-auto-scaling-groups,
// describe-instance-types, describe-launch-template-versions, and optionally
// describe-clusters, describe-capacity-providers and describe-instances). A
// user can dump a cluster with the AWS CLI and ask tandem what it would do.
//
// The optional instances.json is "aws ec2 describe-instances --instance-ids
// ..." for the pools' instances (Reservations[].Instances[], of which
// InstanceId and Tags are read): it carries the EC2 tags, and so the
// scale-in opt-out tag, which describe-auto-scaling-groups does not show
// per instance. Without it only container instance tags opt out.
//
// Loading tolerates what real dumps contain: unknown fields, several pages
// of one call in one file, timestamps as ISO 8601 (CLI v2) or epoch seconds
// (CLI v1). Every problem is an *Error naming the file and the field.
// Snapshot.Cluster converts the files into the estimator's model, with ECS's
// defaults for missing optional fields.
//
// Snapshot.WriteDir replaces a folder as a whole (written beside it, then
// renamed into place), so a written folder holds exactly one snapshot; it
// refuses a folder that holds anything but snapshot files.
package snapshot
