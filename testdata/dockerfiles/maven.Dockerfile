# Exercises Maven: dependency:go-offline with a locked cache mount, temurin runtime, exec-form CMD.
FROM maven:3.9-eclipse-temurin-17 AS builder
WORKDIR /src
COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2,sharing=locked mvn -B dependency:go-offline
COPY src ./src
RUN mvn clean package -DskipTests

FROM eclipse-temurin:17-jdk-alpine
WORKDIR /app
COPY --from=builder /src/target/myapp.jar myapp.jar
CMD ["java", "-jar", "myapp.jar"]
