package presets_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/multistage/multistage/presets"
)

// TestProjectsMaven runs Detect on the Maven fixture applications.
func TestProjectsMaven(t *testing.T) {
	checkProjects(t, []projectCase{
		{"maven-reactor", "a Spring Boot reactor: a library module and the web application that uses it, on Spring Boot's parent; detected from the root, the application module and the library module",
			[]string{".", "shop-web", "shop-core"}},
		{"maven-reactor-shade", "a reactor whose server module shades the library module into an executable jar, with the JDK of .sdkmanrc; detected from the root and the module",
			[]string{".", "greeter-server"}},
		{"maven-war", "a war of the javax.servlet API without Spring Boot: deployed as Tomcat 9.0's ROOT.war, on Java 11",
			[]string{"."}},
	})
}

// TestDetectMaven checks the Maven rules one by one on small trees.
func TestDetectMaven(t *testing.T) {
	const boot = `<parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>%s</version></parent>`
	const bootPlugin = `<build><plugins><plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>`
	// A root that only aggregates: api (Spring Boot's parent, its own
	// wrapper), worker (Quarkus, no parent, a .dockerignore written for a
	// jar built beforehand) and tool (a parent of another group that
	// shares the root's artifactId) stand alone; web uses lib.
	standaloneTree := map[string]string{
		"pom.xml": `<project><groupId>g</groupId><artifactId>root</artifactId><version>1</version><packaging>pom</packaging>
			<modules><module>api</module><module>worker</module><module>lib</module><module>web</module><module>tool</module></modules></project>`,
		"api/pom.xml": fmt.Sprintf(`<project>`+boot+`<groupId>g</groupId><artifactId>api</artifactId><version>1</version>`+bootPlugin+`</project>`, "3.5.0"),
		"api/mvnw":    "#!/bin/sh\n",
		"api/.mvn/wrapper/maven-wrapper.properties": "",
		"worker/pom.xml": `<project><groupId>g</groupId><artifactId>worker</artifactId><version>1</version><properties><maven.compiler.release>21</maven.compiler.release></properties>
			<build><plugins><plugin><groupId>io.quarkus</groupId><artifactId>quarkus-maven-plugin</artifactId></plugin></plugins></build></project>`,
		"worker/.dockerignore": "*\n!target/quarkus-app/*\n",
		"lib/pom.xml":          `<project><groupId>g</groupId><artifactId>lib</artifactId><version>1</version></project>`,
		"web/pom.xml": fmt.Sprintf(`<project>`+boot+`<groupId>g</groupId><artifactId>web</artifactId><version>1</version>
			<dependencies><dependency><groupId>${project.groupId}</groupId><artifactId>lib</artifactId><version>1</version></dependency></dependencies>`+bootPlugin+`</project>`, "3.5.0"),
		"tool/pom.xml": `<project><parent><groupId>h</groupId><artifactId>root</artifactId><version>1</version></parent><artifactId>tool</artifactId>
			<build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest><mainClass>t.Main</mainClass></manifest></archive></configuration></plugin></plugins></build></project>`,
	}
	standaloneWeb := presets.Detection{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Module: "web", Jar: "web-1.jar", JavaVersion: "17", SpringBootVersion: "3.5.0",
		InstallFiles: []string{"api/pom.xml", "worker/pom.xml", "lib/pom.xml", "web/pom.xml", "tool/pom.xml"}}}
	tests := []struct {
		name, reason string
		files        map[string]string
		dir          string // where Detect runs, relative to the tree
		want         []presets.Detection
		wantReason   []string // substrings of each detection's reason
	}{{
		name:   "boot-2-yaml-port",
		reason: "Spring Boot 2.7 extracts with layertools, its parent's default Java 8, server.port nested in application.yml",
		files: map[string]string{
			"pom.xml":                            fmt.Sprintf(`<project>`+boot+`<artifactId>api</artifactId><version>0.1</version>`+bootPlugin+`</project>`, "2.7.18"),
			"src/main/resources/application.yml": "spring:\n  application:\n    name: api\nserver:\n  # the API port\n  port: 9090\n---\nserver:\n  port: 1\n",
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "api-0.1.jar", JavaVersion: "8", SpringBootVersion: "2.7.18", Port: 9090}}},
		wantReason: []string{"layertools", "Spring Boot 2.7.18's default", "application.yml"},
	}, {
		name:   "boot-2-2-fat-jar",
		reason: "Spring Boot before 2.3 has no layers: the fat jar is copied whole, SpringBootVersion unset",
		files: map[string]string{
			"pom.xml": fmt.Sprintf(`<project>`+boot+`<artifactId>old</artifactId><version>1</version><properties><java.version>11</java.version></properties>`+bootPlugin+`</project>`, "2.2.13.RELEASE"),
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "old-1.jar", JavaVersion: "11"}}},
		wantReason: []string{"no layered jars"},
	}, {
		name:   "boot-bom-war-java-version-file",
		reason: "Spring Boot from an imported BOM, a war, the plugin's version; .java-version wins over the POM and the reason says both",
		files: map[string]string{
			"pom.xml": `<project><artifactId>site</artifactId><version>2</version><packaging>war</packaging>
				<properties><boot.version>3.3.5</boot.version><maven.compiler.release>17</maven.compiler.release></properties>
				<dependencyManagement><dependencies><dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-dependencies</artifactId>
				<version>${boot.version}</version><type>pom</type><scope>import</scope></dependency></dependencies></dependencyManagement>` + bootPlugin + `</project>`,
			".java-version": "21.0.5\n",
			"src/main/resources/application.properties": "# port\nserver.port = ${SERVER_PORT:8443}\n",
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "site-2.war", JavaVersion: "21", SpringBootVersion: "3.3.5", Port: 8443}}},
		wantReason: []string{"jarmode tools", "Java 21 (.java-version)", "targets Java 17"},
	}, {
		name:   "boot-config-dir-port",
		reason: "Spring Boot reads config/ of the classpath before its root: its server.port wins",
		files: map[string]string{
			"pom.xml":                                   fmt.Sprintf(`<project>`+boot+`<artifactId>app</artifactId><version>1</version>`+bootPlugin+`</project>`, "3.5.0"),
			"src/main/resources/application.yml":        "server:\n  port: 8080\n",
			"src/main/resources/config/application.yml": "server:\n  port: 9090\n",
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "app-1.jar", JavaVersion: "17", SpringBootVersion: "3.5.0", Port: 9090}}},
		wantReason: []string{"src/main/resources/config/application.yml"},
	}, {
		name:   "jar-main-class-with-dependencies",
		reason: "a Main-Class without the dependencies in the jar does not start: the reason says what to add",
		files: map[string]string{
			"pom.xml": `<project><artifactId>tool</artifactId><version>1</version>
				<dependencies><dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>33.0.0-jre</version></dependency></dependencies>
				<build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest><mainClass>a.Main</mainClass></manifest></archive></configuration></plugin></plugins></build></project>`,
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "tool-1.jar"}}},
		wantReason: []string{"without its dependencies (guava)", "add maven-shade-plugin", "Java 17 assumed"},
	}, {
		name:   "assembly-and-attached-shade",
		reason: "the jar-with-dependencies of the assembly plugin, and a shaded jar attached with a classifier, in a reactor whose modules are found from the root",
		files: map[string]string{
			"pom.xml": `<project><groupId>g</groupId><artifactId>root</artifactId><version>1</version><packaging>pom</packaging>
				<modules><module>a</module><module>b/</module><module>lib</module></modules></project>`,
			"a/pom.xml": `<project><parent><groupId>g</groupId><artifactId>root</artifactId><version>1</version></parent><artifactId>a</artifactId>
				<build><plugins><plugin><artifactId>maven-assembly-plugin</artifactId><configuration><archive><manifest><mainClass>a.Main</mainClass></manifest></archive>
				<descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef></descriptorRefs></configuration></plugin></plugins></build></project>`,
			"b/pom.xml": `<project><parent><groupId>g</groupId><artifactId>root</artifactId><version>1</version></parent><artifactId>b</artifactId>
				<build><finalName>bee</finalName><plugins><plugin><artifactId>maven-shade-plugin</artifactId><executions><execution><configuration>
				<shadedArtifactAttached>true</shadedArtifactAttached><shadedClassifierName>all</shadedClassifierName>
				<transformers><transformer><mainClass>b.Main</mainClass></transformer></transformers></configuration></execution></executions></plugin></plugins></build></project>`,
			"lib/pom.xml": `<project><parent><groupId>g</groupId><artifactId>root</artifactId><version>1</version></parent><artifactId>lib</artifactId></project>`,
		},
		want: []presets.Detection{
			{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Module: "a", Jar: "a-1-jar-with-dependencies.jar", InstallFiles: []string{"a/pom.xml", "b/pom.xml", "lib/pom.xml"}}},
			{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Module: "b", Jar: "bee-all.jar", InstallFiles: []string{"a/pom.xml", "b/pom.xml", "lib/pom.xml"}}},
		},
		wantReason: []string{"the other runnable modules: b", "the other runnable modules: a"},
	}, {
		name:   "profile-plugin-nested-module",
		reason: "a nested aggregator; the Spring Boot plugin comes from a parent's profile activated by a file in the module, as in spring-petclinic-microservices; Detect on the module builds it from the top",
		files: map[string]string{
			"pom.xml": fmt.Sprintf(`<project>`+boot+`<groupId>g</groupId><artifactId>root</artifactId><version>1</version><packaging>pom</packaging>
				<modules><module>services</module></modules>
				<profiles><profile><id>boot</id><activation><file><exists>src/main/resources/application.yml</exists></file></activation>`+bootPlugin+`</profile></profiles></project>`, "3.5.0"),
			"services/pom.xml": `<project><parent><groupId>g</groupId><artifactId>root</artifactId><version>1</version></parent><artifactId>services</artifactId><packaging>pom</packaging>
				<modules><module>api</module></modules></project>`,
			"services/api/pom.xml":                            `<project><parent><groupId>g</groupId><artifactId>services</artifactId><version>1</version></parent><artifactId>api</artifactId></project>`,
			"services/api/src/main/resources/application.yml": "server.port: 8888\n",
		},
		dir: "services/api",
		want: []presets.Detection{{Preset: presets.PresetMaven, Context: "../..", Maven: &presets.MavenOptions{Module: "services/api", Jar: "api-1.jar", JavaVersion: "17",
			SpringBootVersion: "3.5.0", Port: 8888, InstallFiles: []string{"services/pom.xml", "services/api/pom.xml"}}}},
		wantReason: []string{"-pl services/api -am", "Spring Boot 3.5.0's default"},
	}, {
		name:   "reactor-standalone-modules",
		reason: "modules that inherit nothing from the reactor and use none of its modules are built on their own, each from its directory; the module that uses a sibling keeps the reactor build, and so does the one whose .dockerignore (Quarkus's) leaves out its sources",
		files:  standaloneTree,
		want: []presets.Detection{
			{Preset: presets.PresetMaven, Context: "api", Maven: &presets.MavenOptions{Wrapper: true, Jar: "api-1.jar", JavaVersion: "17", SpringBootVersion: "3.5.0"}},
			{Preset: presets.PresetMaven, Context: ".", Maven: &presets.MavenOptions{Module: "worker", Quarkus: true, JavaVersion: "21", InstallFiles: []string{"api/pom.xml", "worker/pom.xml", "lib/pom.xml", "web/pom.xml", "tool/pom.xml"}}},
			standaloneWeb,
			{Preset: presets.PresetMaven, Context: "tool", Maven: &presets.MavenOptions{Jar: "tool-1.jar"}},
		},
		wantReason: []string{"api inherits nothing from the reactor and uses none of its modules: built on its own, context api",
			"built on its own, context tool", "-pl web -am", "worker inherits nothing from the reactor, but its .dockerignore leaves out what a build from its own directory copies"},
	}, {
		name:       "reactor-standalone-module-dir",
		reason:     "Detect on a module that stands alone builds it from its own directory (tool), unless its .dockerignore leaves out its sources (worker)",
		files:      standaloneTree,
		dir:        "tool",
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "tool-1.jar"}}},
		wantReason: []string{"tool inherits nothing from the reactor and uses none of its modules: built on its own, context ."},
	}, {
		name:   "reactor-standalone-module-ignored",
		reason: "Detect on a module that stands alone but whose .dockerignore leaves out its sources builds it from the reactor's root",
		files:  standaloneTree,
		dir:    "worker",
		want: []presets.Detection{{Preset: presets.PresetMaven, Context: "..", Maven: &presets.MavenOptions{Module: "worker", Quarkus: true, JavaVersion: "21",
			InstallFiles: []string{"api/pom.xml", "worker/pom.xml", "lib/pom.xml", "web/pom.xml", "tool/pom.xml"}}}},
		wantReason: []string{"so it is built from the reactor's root"},
	}, {
		name:   "reactor-module-uses-sibling",
		reason: "Detect on a module that uses a sibling's artifact builds it from the reactor's root",
		files:  standaloneTree,
		dir:    "web",
		want: []presets.Detection{{Preset: presets.PresetMaven, Context: "..", Maven: &presets.MavenOptions{Module: "web", Jar: "web-1.jar", JavaVersion: "17", SpringBootVersion: "3.5.0",
			InstallFiles: []string{"api/pom.xml", "worker/pom.xml", "lib/pom.xml", "web/pom.xml", "tool/pom.xml"}}}},
		wantReason: []string{"-pl web -am"},
	}, {
		name:   "reactor-nothing-runnable",
		reason: "a reactor of libraries: one detection that says to set Module and Jar",
		files: map[string]string{
			"pom.xml":                               `<project><groupId>g</groupId><artifactId>root</artifactId><version>1</version><packaging>pom</packaging><modules><module>x</module></modules></project>`,
			"x/pom.xml":                             `<project><parent><groupId>g</groupId><artifactId>root</artifactId><version>1</version></parent><artifactId>x</artifactId></project>`,
			"mvnw":                                  "#!/bin/sh\n",
			".mvn/wrapper/maven-wrapper.properties": "",
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Wrapper: true, InstallFiles: []string{"x/pom.xml"}}}},
		wantReason: []string{"x: it has no Main-Class", "set Module and Jar", "Maven wrapper"},
	}, {
		name:   "quarkus-fast-jar",
		reason: "quarkus-maven-plugin with no package type: the fast-jar directory runs, quarkus.http.port nested in application.yml",
		files: map[string]string{
			"pom.xml": `<project><artifactId>heroes</artifactId><version>1.0</version><properties><maven.compiler.release>21</maven.compiler.release></properties>
				<build><plugins><plugin><groupId>io.quarkus.platform</groupId><artifactId>quarkus-maven-plugin</artifactId><version>${quarkus.platform.version}</version><extensions>true</extensions></plugin></plugins></build></project>`,
			"src/main/resources/application.yml": "quarkus:\n  application:\n    name: heroes\n  http:\n    port: 8083\n",
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Quarkus: true, JavaVersion: "21", Port: 8083}}},
		wantReason: []string{"a Quarkus application", "quarkus.http.port in src/main/resources/application.yml"},
	}, {
		name:   "quarkus-uber-jar",
		reason: "Quarkus configured for an uber-jar: the -runner.jar runs with java -jar",
		files: map[string]string{
			"pom.xml": `<project><artifactId>cli</artifactId><version>2</version>
				<build><plugins><plugin><groupId>io.quarkus</groupId><artifactId>quarkus-maven-plugin</artifactId></plugin></plugins></build></project>`,
			"src/main/resources/application.properties": "quarkus.package.jar.type=uber-jar\nquarkus.http.port=9000\n",
		},
		want: []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "cli-2-runner.jar", Port: 9000}}},
	}, {
		name:   "micronaut-parent",
		reason: "Micronaut's parent shades the jar with exec.mainClass; ${packaging}; jdk.version; micronaut.server.port",
		files: map[string]string{
			"pom.xml": `<project><parent><groupId>io.micronaut.platform</groupId><artifactId>micronaut-parent</artifactId><version>4.10.2</version></parent>
				<artifactId>clinic</artifactId><version>0.1</version><packaging>${packaging}</packaging>
				<properties><packaging>jar</packaging><jdk.version>21</jdk.version><exec.mainClass>example.Application</exec.mainClass></properties>
				<build><plugins><plugin><groupId>io.micronaut.maven</groupId><artifactId>micronaut-maven-plugin</artifactId></plugin></plugins></build></project>`,
			"src/main/resources/application.yml": "micronaut:\n  application:\n    name: clinic\n  server.port: 8081\n",
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "clinic-0.1.jar", JavaVersion: "21", Port: 8081}}},
		wantReason: []string{"micronaut-parent's maven-shade-plugin", "Java 21 (jdk.version)", "micronaut.server.port"},
	}, {
		name:   "frontend-maven-plugin",
		reason: "a Spring Boot app whose default profile builds its front end with frontend-maven-plugin from package.json at the root: the whole context is copied",
		files: map[string]string{
			"pom.xml": fmt.Sprintf(`<project>`+boot+`<artifactId>site</artifactId><version>1</version>`+bootPlugin+`
				<profiles><profile><id>webapp</id><activation><activeByDefault>true</activeByDefault></activation>
				<build><plugins><plugin><groupId>com.github.eirslett</groupId><artifactId>frontend-maven-plugin</artifactId></plugin></plugins></build></profile></profiles></project>`, "3.5.0"),
			"package.json": "{}",
		},
		want: []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "site-1.jar", JavaVersion: "17", SpringBootVersion: "3.5.0", Sources: []string{"."}}}},
	}, {
		name:   "frontend-maven-plugin-in-a-profile",
		reason: "frontend-maven-plugin only in a profile that is off by default: the context is copied and the reason names the profile",
		files: map[string]string{
			"pom.xml": `<project><artifactId>site</artifactId><version>1</version><properties><java.version>21</java.version></properties>
				<profiles><profile><id>prod</id><build><plugins><plugin><artifactId>frontend-maven-plugin</artifactId></plugin></plugins></build></profile></profiles></project>`,
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "site-1.jar", JavaVersion: "21", Sources: []string{"."}}}},
		wantReason: []string{"set MavenArgs -Pprod"},
	}, {
		name:   "lombok-config",
		reason: "lombok.config at the root changes how Lombok compiles: copied with src/",
		files: map[string]string{
			"pom.xml":        fmt.Sprintf(`<project>`+boot+`<artifactId>api</artifactId><version>1</version>`+bootPlugin+`</project>`, "3.5.0"),
			"lombok.config":  "lombok.accessors.chain = true\n",
			"src/main/x.txt": "",
		},
		want: []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "api-1.jar", JavaVersion: "17", SpringBootVersion: "3.5.0", Sources: []string{"src", "lombok.config"}}}},
	}, {
		name:   "war-without-boot",
		reason: "a plain war is deployed in Tomcat; no servlet API among the dependencies: the default Tomcat, the reason says so",
		files: map[string]string{
			"pom.xml": `<project><artifactId>petstore</artifactId><version>6</version><packaging>war</packaging><build><finalName>jpetstore</finalName></build></project>`,
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{War: true, Jar: "jpetstore.war"}}},
		wantReason: []string{"target/jpetstore.war", "servlet container", "Tomcat's ROOT.war", "Tomcat 10.1 (jakarta.servlet) assumed"},
	}, {
		name:   "war-javax-servlet",
		reason: "a war of the javax.servlet API runs on Tomcat 9.0, which has a Java 8 JRE",
		files: map[string]string{
			"pom.xml": `<project><artifactId>guestbook</artifactId><version>1.2</version><packaging>war</packaging><properties><java.version>8</java.version></properties>
				<dependencies><dependency><groupId>javax.servlet</groupId><artifactId>javax.servlet-api</artifactId><version>3.1.0</version><scope>provided</scope></dependency></dependencies></project>`,
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{War: true, Jar: "guestbook-1.2.war", TomcatVersion: "9.0", JavaVersion: "8"}}},
		wantReason: []string{"Tomcat 9.0 (javax.servlet:javax.servlet-api)"},
	}, {
		name:   "war-jakarta-servlet-6-1",
		reason: "Servlet 6.1 (a property) is Tomcat 11's, which needs Java 17: the POM's Java 11 is raised and the reason says so",
		files: map[string]string{
			"pom.xml": `<project><artifactId>shop</artifactId><version>3</version><packaging>war</packaging><properties><maven.compiler.release>11</maven.compiler.release><servlet.version>6.1.0</servlet.version></properties>
				<dependencies><dependency><groupId>jakarta.servlet</groupId><artifactId>jakarta.servlet-api</artifactId><version>${servlet.version}</version><scope>provided</scope></dependency></dependencies></project>`,
		},
		want:       []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{War: true, Jar: "shop-3.war", TomcatVersion: "11.0", JavaVersion: "17"}}},
		wantReason: []string{"Tomcat 11.0 (jakarta.servlet:jakarta.servlet-api 6.1.0)", "runs on Java 17 or later"},
	}, {
		name:   "war-jakarta-ee-10",
		reason: "the Jakarta EE 10 web API is Servlet 6.0: Tomcat 10.1",
		files: map[string]string{
			"pom.xml": `<project><artifactId>web</artifactId><version>1</version><packaging>war</packaging><properties><maven.compiler.release>21</maven.compiler.release></properties>
				<dependencies><dependency><groupId>jakarta.platform</groupId><artifactId>jakarta.jakartaee-web-api</artifactId><version>10.0.0</version><scope>provided</scope></dependency></dependencies></project>`,
		},
		want: []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{War: true, Jar: "web-1.war", TomcatVersion: "10.1", JavaVersion: "21"}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, tt.files)
			dir := filepath.Join(root, filepath.FromSlash(or(tt.dir, ".")))
			got, err := presets.Detect(dir)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				rel, err := filepath.Rel(dir, got[i].Context)
				if err != nil {
					t.Fatal(err)
				}
				got[i].Context = filepath.ToSlash(rel)
				if i < len(tt.want) && tt.want[i].Context == "" {
					tt.want[i].Context = "."
				}
			}
			if d := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(presets.Detection{}, "Reason")); d != "" {
				t.Errorf("%s\nDetect (-want +got):\n%s", tt.reason, d)
			}
			all := ""
			for _, d := range got {
				all += d.Reason + "\n"
			}
			for _, w := range tt.wantReason {
				if !strings.Contains(all, w) {
					t.Errorf("reasons %q do not say %q", all, w)
				}
			}
		})
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
