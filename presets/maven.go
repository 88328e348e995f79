package presets

import (
	"path"
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
	// JAVA_VERSION, used by both. The default is "25", the newest
	// Java LTS line.
	JavaVersion string
	// MavenVersion is the Maven version of the builder image. The default
	// is "3.9".
	MavenVersion string
	// Wrapper builds with the project's Maven wrapper (./mvnw and .mvn/)
	// on eclipse-temurin:<JavaVersion>-jdk instead of the Maven image, so
	// the Maven version is the one the project pins. The default is false.
	Wrapper bool
	// Jar is the jar to run (with War, the war to deploy), relative to
	// target/, such as "app-1.0.0.jar"; it may be a glob that matches
	// exactly one file. The default is "*.jar" ("*.war" with War): the
	// one the build makes (the build fails if it makes several). [Detect]
	// reads it from the POM.
	Jar string
	// War deploys the web application archive the build makes in a
	// servlet container instead of running a jar: a project packaged as
	// a war without spring-boot-maven-plugin has no Main-Class and does
	// not start with java -jar, a servlet container loads it. The runtime
	// is Tomcat's official image, tomcat:<TomcatVersion>-jre<JavaVersion>,
	// and the war (target/<Jar>) is its webapps/ROOT.war, which Tomcat
	// serves at / on port 8080, started with "catalina.sh run" in the
	// foreground, as the image documents. The user owns Tomcat's logs/,
	// temp/, work/ and webapps/ (where Tomcat unpacks the war and compiles
	// JSPs); JavaOpts are set as CATALINA_OPTS; relative WritableDirs are
	// under /usr/local/tomcat. SpringBootVersion and Quarkus are not used.
	// The default is false. [Detect] sets it for a war made without
	// spring-boot-maven-plugin.
	War bool
	// TomcatVersion is the Tomcat line of the runtime with War: "9.0"
	// for an application of the javax.servlet API (Servlet 4.0 and
	// before: Tomcat 10 moved the API to the jakarta namespace, so such
	// an application does not run on it), "10.1" (Servlet 6.0, Java 11 or
	// later) or "11.0" (Servlet 6.1, Java 17 or later) for one of
	// jakarta.servlet. The default is "10.1". [Detect] reads it from the
	// servlet API the POM depends on.
	TomcatVersion string
	// RunTests runs the tests during the build. The default is false
	// (-DskipTests).
	RunTests bool
	// MavenArgs are extra arguments of the Maven invocation, one per
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
	// The default is 8080; a negative Port declares none. [Detect] reads
	// Spring Boot's server.port from application.properties or
	// application.yml.
	Port int
	// User is the user the application runs as. The default is
	// [NonRootUser].
	User string
	// Module is the module of a multi-module project (a reactor) to build
	// and run, its directory relative to the build context, such as "web"
	// or "services/api". Maven builds it and the modules it depends on
	// (-pl <Module> -am), and the runtime runs <Module>/target/<Jar>. The
	// whole context is copied, since the modules it depends on may be
	// anywhere. The default is none: the project of the root pom.xml,
	// whose src/ is copied. [Detect] lists the runnable modules of a
	// reactor (one detection each) and, given a module's directory, finds
	// its reactor.
	Module string
	// InstallFiles are more files copied with pom.xml, before the
	// sources, each to its own path (COPY --parents): .mvn/ (maven.config,
	// extensions.xml, jvm.config), which Maven reads at start, and the
	// pom.xml of every module of a reactor ("core/pom.xml"), which Maven
	// reads even for the modules it does not build. Patterns such as
	// "*/pom.xml" are allowed. The default is none. [Detect] lists them.
	InstallFiles []string
	// SpringBootVersion is the Spring Boot version of the application,
	// such as "3.4.1"; with it, the jar is extracted into Spring Boot's
	// layers (dependencies, spring-boot-loader, snapshot-dependencies,
	// application), each copied into the runtime as a layer of its own,
	// so that a change of the code rebuilds the small application layer
	// only. From 3.3 the extraction is "java -Djarmode=tools -jar ...
	// extract --layers --launcher", before it "java -Djarmode=layertools
	// -jar ... extract" (2.3 to 3.2; 2.3 needs layers enabled in the
	// plugin's configuration), and the application starts with Spring
	// Boot's JarLauncher (org.springframework.boot.loader.launch.JarLauncher
	// from 3.2, org.springframework.boot.loader.JarLauncher before). A
	// project that renames the layers (a layers.xml) needs its own
	// runtime copies. The default is none: the jar is copied whole.
	// [Detect] reads it from the POM (the spring-boot-starter-parent, an
	// imported spring-boot-dependencies or the plugin's version).
	SpringBootVersion string
	// Quarkus runs a Quarkus application packaged as Quarkus's fast-jar
	// (quarkus-maven-plugin's default): target/quarkus-app/ holds
	// quarkus-run.jar and the lib/, app/ and quarkus/ directories it
	// loads, which the runtime gets as layers of their own, the
	// dependencies (lib/) first and the application's classes (app/)
	// last, as Quarkus's own Dockerfile.jvm copies them, and starts with
	// java -jar quarkus-run.jar. Jar is not used. The default is false.
	// [Detect] sets it for a module built with quarkus-maven-plugin that
	// configures no other package type (an uber-jar is a runnable Jar).
	Quarkus bool
	// Sources are the files and directories of the context that the build
	// reads besides the POMs, copied after BeforeInstall, each to its own
	// path; "." is the whole context, without target/ and node_modules/
	// directories. The default is {"src"} for the root project, and the
	// whole context for a Module (the modules it depends on may be
	// anywhere). A build that reads more than src/ lists it: the
	// package.json, angular.json and configuration of a front end that
	// frontend-maven-plugin builds, lombok.config, which Lombok reads
	// from the project's root. [Detect] sets {"."} for a POM that uses
	// frontend-maven-plugin, and adds lombok.config when it is there.
	Sources []string
	// Steps are instructions of the caller's own at named points:
	// BeforeInstall in the builder after the POMs and InstallFiles are
	// copied, before the sources and before Maven runs (write a
	// settings.xml for a private repository); BeforeBuild after the sources are copied,
	// before "mvn package"; AfterBuild right after it (before the Spring
	// Boot extraction); Runtime in the runtime stage after the jar or
	// layers are copied, as root.
	Steps Steps
	// WritableDirs are directories the application's user must be able to
	// write to, relative to /app or absolute, such as "data": created in
	// the runtime image and owned by User. The default is none.
	WritableDirs []string
}

// MavenBuild is the build made by [Maven], with handles to its stages.
type MavenBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: the project in /src, packaged into
	// /src/target.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage: the jar as /app/app.jar on a JRE,
	// or the war as Tomcat's webapps/ROOT.war (War).
	Runtime *multistage.Stage
}

// Maven returns a build that packages a Maven project into a jar and runs
// it on a Java runtime (a JRE, not a JDK) as a non-root user:
//
//	ARG JAVA_VERSION=25
//
//	FROM --platform=$BUILDPLATFORM maven:3.9-eclipse-temurin-${JAVA_VERSION} AS build
//	ENV MAVEN_OPTS="-XX:TieredStopAtLevel=1"
//	WORKDIR /src
//	COPY pom.xml ./
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
// The local repository is a cache mount, locked because Maven does not
// support concurrent writers: the plugins and dependencies are downloaded
// once and kept across builds. There is no separate "mvn
// dependency:go-offline" step after the POM: what it downloads goes to the
// cache mount, not to its layer, so the layer saves nothing when the
// sources change, and it costs a Maven start and plugins that "package"
// never uses when the POM changes or the cache is cold (measured on the
// sample app and on a reactor: equal warm rebuilds, cold builds 5 to 10 s
// faster without it). Maven's JVM compiles with C1 only (see MavenOpts):
// on the sample app, that takes about a fifth off "mvn package". Bytecode
// does not depend on the platform, so Maven runs natively on
// $BUILDPLATFORM.
//
// A module of a reactor (Module, with every module's POM in InstallFiles)
// is built from the reactor's root, with the modules it depends on:
//
//	COPY --parents pom.xml core/pom.xml web/pom.xml ./
//	COPY --exclude=**/target --exclude=**/node_modules . .
//	RUN ... mvn -B -pl web -am package -DskipTests
//
// A Spring Boot application (SpringBootVersion) runs from its layers:
//
//	RUN java -Djarmode=tools -jar web/target/web-1.0.jar extract --layers --launcher --destination /layers
//	...
//	COPY --from=build --link /layers/dependencies/ ./
//	COPY --from=build --link /layers/spring-boot-loader/ ./
//	COPY --from=build --link /layers/snapshot-dependencies/ ./
//	COPY --from=build --link /layers/application/ ./
//	ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
//
// A Quarkus application (Quarkus) runs from its fast-jar directory, the
// dependencies first:
//
//	COPY --from=build --link /src/target/quarkus-app/lib/ ./lib/
//	COPY --from=build --link /src/target/quarkus-app/*.jar ./
//	COPY --from=build --link /src/target/quarkus-app/app/ ./app/
//	COPY --from=build --link /src/target/quarkus-app/quarkus/ ./quarkus/
//	ENTRYPOINT ["java", "-jar", "/app/quarkus-run.jar"]
//
// A war (War) is deployed in Tomcat, the user owning the directories
// Tomcat writes:
//
//	FROM tomcat:10.1-jre${JAVA_VERSION} AS runtime
//	WORKDIR /usr/local/tomcat
//	RUN chown -R 65532:65532 logs temp work webapps
//	COPY --from=build --link /src/target/*.war webapps/ROOT.war
//	USER 65532:65532
//	EXPOSE 8080
//	CMD ["catalina.sh", "run"]
func Maven(opts MavenOptions) *MavenBuild {
	b := multistage.New()
	b.Arg("JAVA_VERSION", or(opts.JavaVersion, defaultJavaVersion))

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
	module := strings.Trim(path.Clean("/"+opts.Module), "/")
	if module != "" {
		mvn += " -pl " + shellQuote(module) + " -am"
	}
	pkg := mvn + " package"
	if !opts.RunTests {
		pkg += " -DskipTests"
	}
	var install []string
	for _, f := range opts.InstallFiles {
		if f = strings.TrimPrefix(path.Clean(f), "./"); f != "pom.xml" && !(opts.Wrapper && f == ".mvn") {
			install = append(install, f)
		}
	}
	if len(install) > 0 {
		build.Copy("pom.xml", "./", multistage.Parents(), multistage.MoreSources(install...))
	} else {
		build.Copy("pom.xml", "./")
	}
	opts.Steps.beforeInstall(build)
	target := "target/"
	if module != "" {
		target = module + "/target/"
	}
	copyMavenSources(build, module, opts.Sources)
	opts.Steps.beforeBuild(build)
	build.Run(shellJoin(pkg, opts.MavenArgs), MavenCache())
	opts.Steps.afterBuild(build)

	jar := target + or(opts.Jar, "*.jar")
	if opts.War {
		return &MavenBuild{Build: b, Builder: build, Runtime: tomcatRuntime(b, build, target, opts)}
	}
	layered := bootAtLeast(opts.SpringBootVersion, 2, 3) && !opts.Quarkus
	if layered {
		extract := "java -Djarmode=layertools -jar " + shellQuotePattern(jar) + " extract --destination /layers"
		if bootAtLeast(opts.SpringBootVersion, 3, 3) {
			extract = "java -Djarmode=tools -jar " + shellQuotePattern(jar) + " extract --layers --launcher --destination /layers"
		}
		build.Run(extract)
	}

	rt := b.Stage("runtime")
	if opts.RuntimeImage != "" {
		rt.From(opts.RuntimeImage)
	} else {
		rt.FromExpand("eclipse-temurin:${JAVA_VERSION}-jre")
	}
	rt.Workdir("/app")
	entry := append([]string{"java"}, opts.JavaOpts...)
	switch {
	case opts.Quarkus:
		app := "/src/" + target + "quarkus-app/"
		rt.CopyFrom(build, app+"lib/", "./lib/", multistage.Link()).
			CopyFrom(build, app+"*.jar", "./", multistage.Link()).
			CopyFrom(build, app+"app/", "./app/", multistage.Link()).
			CopyFrom(build, app+"quarkus/", "./quarkus/", multistage.Link())
		entry = append(entry, "-jar", "/app/quarkus-run.jar")
	case layered:
		for _, layer := range []string{"dependencies", "spring-boot-loader", "snapshot-dependencies", "application"} {
			rt.CopyFrom(build, "/layers/"+layer+"/", "./", multistage.Link())
		}
		launcher := "org.springframework.boot.loader.JarLauncher"
		if bootAtLeast(opts.SpringBootVersion, 3, 2) {
			launcher = "org.springframework.boot.loader.launch.JarLauncher"
		}
		entry = append(entry, launcher)
	default:
		rt.CopyFrom(build, "/src/"+jar, "app.jar", multistage.Link())
		entry = append(entry, "-jar", "/app/app.jar")
	}
	opts.Steps.runtime(rt)
	rt.User(or(opts.User, NonRootUser))
	writableDirs(rt, "/app", opts.WritableDirs)
	expose(rt, port(opts.Port, 8080))
	rt.Entrypoint(entry...)
	return &MavenBuild{Build: b, Builder: build, Runtime: rt}
}

// tomcatHome is CATALINA_HOME in Tomcat's official image.
const tomcatHome = "/usr/local/tomcat"

// tomcatRuntime is the runtime stage of a war (see [MavenOptions].War).
func tomcatRuntime(b *multistage.Build, build *multistage.Stage, target string, opts MavenOptions) *multistage.Stage {
	rt := b.Stage("runtime")
	if opts.RuntimeImage != "" {
		rt.From(opts.RuntimeImage)
	} else {
		rt.FromExpand("tomcat:" + or(opts.TomcatVersion, "10.1") + "-jre${JAVA_VERSION}")
	}
	user := or(opts.User, NonRootUser)
	rt.Workdir(tomcatHome)
	if len(opts.JavaOpts) > 0 {
		rt.Env("CATALINA_OPTS", strings.Join(opts.JavaOpts, " "))
	}
	// Tomcat writes its logs, temporary files, compiled JSPs and the
	// unpacked war there: the user must own them.
	rt.Run("chown -R " + shellQuote(user) + " logs temp work webapps")
	rt.CopyFrom(build, "/src/"+target+or(opts.Jar, "*.war"), "webapps/ROOT.war", multistage.Link())
	opts.Steps.runtime(rt)
	rt.User(user)
	writableDirs(rt, tomcatHome, opts.WritableDirs)
	expose(rt, port(opts.Port, 8080))
	rt.Cmd("catalina.sh", "run")
	return rt
}

// copyMavenSources copies what the build reads besides the POMs: sources
// (see [MavenOptions].Sources), by default src/ for the root project and
// the whole context for a module.
func copyMavenSources(build *multistage.Stage, module string, sources []string) {
	var files []string
	whole := module != "" && len(sources) == 0
	for _, f := range sources {
		if f = strings.TrimPrefix(path.Clean(f), "./"); f == "." || f == "/" {
			whole = true
		} else if f != "" {
			files = append(files, strings.TrimPrefix(f, "/"))
		}
	}
	switch {
	case whole:
		build.Copy(".", ".", multistage.Exclude("**/target", "**/node_modules"))
	case len(files) == 0:
		build.Copy("src", "./src")
	case len(files) == 1:
		copyInPlace(build, files[0])
	default:
		// --parents: a directory among several sources would otherwise
		// have its contents copied, not itself.
		build.Copy(files[0], "./", multistage.Parents(), multistage.MoreSources(files[1:]...))
	}
}

// MavenCache is a cache mount on the Maven directory of the root user,
// /root/.m2, which holds the local repository (and the Maven wrapper's
// downloads). Its sharing is "locked": one build at a time writes to it.
func MavenCache() multistage.RunOption {
	return multistage.CacheMount("/root/.m2", multistage.Sharing("locked"))
}

// shellQuotePattern quotes a file pattern for /bin/sh, leaving its
// wildcards (*, ?, [...]) unquoted so that the shell expands them.
func shellQuotePattern(p string) string {
	var b strings.Builder
	for p != "" {
		i := strings.IndexAny(p, "*?[]")
		if i < 0 {
			b.WriteString(shellQuote(p))
			break
		}
		if i > 0 {
			b.WriteString(shellQuote(p[:i]))
		}
		b.WriteByte(p[i])
		p = p[i+1:]
	}
	return b.String()
}
