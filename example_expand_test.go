package multistage_test

import (
	"context"
	"fmt"

	"github.com/multistage/multistage"
)

// Values are literal unless a call asks for expansion. The Expand calls
// take the build args and the stage's environment, as a Dockerfile does,
// and both backends expand them alike: here the port, the owner of the
// copied files, the uid of a cache mount and a volume come from args.
func ExampleStage_ExposeExpand() {
	b := multistage.New()
	b.Stage("app").From("alpine:3.20").
		Arg("PORT", "8080").
		Arg("UID", "10001").
		Copy("bin/", "/app/", multistage.Chown("${UID}:${UID}"), multistage.Expand()).
		Run("/app/warm-cache", multistage.CacheMount("/cache", multistage.MountOptionExpand("uid", "${UID}"))).
		VolumeExpand("/data/${PORT}").
		ExposeExpand("${PORT}/tcp").
		User("10001")

	df, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	out, err := b.Compile(context.Background(), multistage.BuildArg("PORT", "9090"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Image.Config.ExposedPorts, out.Image.Config.Volumes)
	// Output:
	// FROM alpine:3.20 AS app
	// ARG PORT=8080
	// ARG UID=10001
	// COPY --chown=${UID}:${UID} bin/ /app/
	// RUN --mount=type=cache,target=/cache,uid=${UID} /app/warm-cache
	// VOLUME ["/data/${PORT}"]
	// EXPOSE ${PORT}/tcp
	// USER 10001
	// map[9090/tcp:{}] map[/data/9090:{}]
}
