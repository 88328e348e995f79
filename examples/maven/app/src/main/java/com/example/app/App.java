package com.example.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Sample application of the Maven preset: prints its greeting, or serves it with --serve. */
public final class App {
    /** The line the benchmarks edit for a warm rebuild. */
    static String greeting() {
        return "hello from the maven preset";
    }

    static String message() {
        return greeting() + " (java " + System.getProperty("java.version") + ", user " + System.getProperty("user.name") + ")";
    }

    public static void main(String[] args) throws IOException {
        System.out.println(message());
        if (args.length > 0 && args[0].equals("--serve")) {
            int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            server.createContext("/", exchange -> {
                byte[] body = (message() + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }
    }
}
