package presets

import (
	"strings"

	"github.com/multistage/multistage"
)

// MavenOptions configures [Maven]. The zero value packages the project with
// Maven on JDK 17 and runs the one jar it builds on a Java 17 JRE,
// listening on 8080.
type MavenOptions struct {
	// JavaVersion is the Java version of both stages: the builder is
	// maven:<MavenVersion>-eclipse-temurin-<JavaVersion> and the runtime
	// eclipse-temurin:<JavaVersion>-jre. It is declared as the build arg
	// JAVA_VERSION, used by both. The default is "17".
	JavaVersion string
	// MavenVersion is the Maven version of the builder image. The default
	// is "3.9".
	MavenVersion string
	// Wrapper builds with the project's Maven wrapper (./mvnw and .mvn/)
	// on eclipse-temurin:<JavaVersion>-jdk instead of the Maven image, so
	// the Maven version is the one the project pins. The default is false.
	Wrapper bool
	// Jar is the jar to run, relative to target/, such as
	// "app-1.0.0.jar"; it may be a glob that matches exactly one file. The
	// default is "*.jar": the one jar the build makes (the build fails if
	// it makes several). [Detect] reads it from the POM.
	Jar string
	// RunTests runs the tests during the build. The default is false
	// (-DskipTests).
	RunTests bool
	// MavenArgs are extra arguments of both Maven invocations, one per
	// element, such as {"-Pproduction"}. The default is none.
	MavenArgs []string
	// JavaOpts are JVM options placed before -jar, such as
	// {"-XX:MaxRAMPercentage=75"}. The default is none.
	JavaOpts []string
	// MavenOpts are the options of the JVM that runs Maven, set as
	// MAVEN_OPTS in the build stage, one per element and without white
	// space (mvn splits MAVEN_OPTS on it). On the java command line they
	// come after the project's .mvn/jvm.config, so they win over it. The
	// JVMs that Surefire forks for the tests do not get them. The default
	// is {"-XX:TieredStopAtLevel=1"}: JIT compilation with C1 only, which
	// starts faster and suits the short Maven runs of a container build;
	// a long build of a large project may be faster with the JVM's own
	// default, {"-XX:TieredStopAtLevel=4"}.
	MavenOpts []string
	// RuntimeImage replaces the runtime base image. The default is
	// eclipse-temurin:<JavaVersion>-jre.
	RuntimeImage string
	// Port is the port the application listens on, declared with EXPOSE.
	// The default is 8080; a negative Port declares none.
	Port int
	// User is the user the application runs as. The default is
	// [NonRootUser].
	User string
}

// MavenBuild is the build made by [Maven], with handles to its stages.
type MavenBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: the project in /src, packaged into
	// /src/target.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage: the jar as /app/app.jar on a JRE.
	Runtime *multistage.Stage
}

// Maven returns a build that packages a Maven project into a jar and runs
// it on a Java runtime (a JRE, not a JDK) as a non-root user:
//
//	ARG JAVA_VERSION=17
//
//	FROM --platform=$BUILDPLATFORM maven:3.9-eclipse-temurin-${JAVA_VERSION} AS build
//	ENV MAVEN_OPTS="-XX:TieredStopAtLevel=1"
//	WORKDIR /src
//	COPY pom.xml ./
//	RUN --mount=type=cache,target=/root/.m2,sharing=locked mvn -B dependency:go-offline
//	COPY src ./src
//	RUN --mount=type=cache,target=/root/.m2,sharing=locked mvn -B package -DskipTests
//
//	FROM eclipse-temurin:${JAVA_VERSION}-jre AS runtime
//	WORKDIR /app
//	COPY --from=build --link /src/target/*.jar app.jar
//	USER 65532:65532
//	EXPOSE 8080
//	ENTRYPOINT ["java", "-jar", "/app/app.jar"]
//
// The POM comes first, so resolving the plugins and dependencies is cached
// until it changes; the local repository is a cache mount, locked because
// Maven does not support concurrent writers. Maven's JVM compiles with C1
// only (see MavenOpts): on the sample app, that takes about a fifth off
// "mvn package". Bytecode does not depend on the platform, so Maven runs
// natively on $BUILDPLATFORM.
func Maven(opts MavenOptions) *MavenBuild {
	b := multistage.New()
	b.Arg("JAVA_VERSION", or(opts.JavaVersion, "17"))

	build := b.Stage("build")
	mvn := "mvn -B"
	if opts.Wrapper {
		build.FromExpand("eclipse-temurin:${JAVA_VERSION}-jdk")
		mvn = "./mvnw -B"
	} else {
		build.FromExpand("maven:" + or(opts.MavenVersion, "3.9") + "-eclipse-temurin-${JAVA_VERSION}")
	}
	build.Platform(multistage.BuildPlatform).
		Env("MAVEN_OPTS", strings.Join(orArgs(opts.MavenOpts, []string{"-XX:TieredStopAtLevel=1"}), " ")).
		Workdir("/src")
	if opts.Wrapper {
		build.Copy("mvnw", "./", multistage.Chmod(0o755)).
			Copy(".mvn", "./.mvn")
	}
	pkg := mvn + " package"
	if !opts.RunTests {
		pkg += " -DskipTests"
	}
	build.Copy("pom.xml", "./").
		Run(shellJoin(mvn+" dependency:go-offline", opts.MavenArgs), MavenCache()).
		Copy("src", "./src").
		Run(shellJoin(pkg, opts.MavenArgs), MavenCache())

	rt := b.Stage("runtime")
	if opts.RuntimeImage != "" {
		rt.From(opts.RuntimeImage)
	} else {
		rt.FromExpand("eclipse-temurin:${JAVA_VERSION}-jre")
	}
	rt.Workdir("/app").
		CopyFrom(build, "/src/target/"+or(opts.Jar, "*.jar"), "app.jar", multistage.Link()).
		User(or(opts.User, NonRootUser))
	expose(rt, port(opts.Port, 8080))
	entry := append([]string{"java"}, opts.JavaOpts...)
	rt.Entrypoint(append(entry, "-jar", "/app/app.jar")...)
	return &MavenBuild{Build: b, Builder: build, Runtime: rt}
}

// MavenCache is a cache mount on the Maven directory of the root user,
// /root/.m2, which holds the local repository (and the Maven wrapper's
// downloads). Its sharing is "locked": one build at a time writes to it.
func MavenCache() multistage.RunOption {
	return multistage.CacheMount("/root/.m2", multistage.Sharing("locked"))
}
