module github.com/tandem-ecs/tandem

go 1.26
