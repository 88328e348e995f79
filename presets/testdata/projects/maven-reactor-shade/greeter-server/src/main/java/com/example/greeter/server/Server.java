package com.example.greeter.server;

import com.example.greeter.lib.Greeting;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Serves the library's greeting on $PORT; --selftest prints it and exits. */
public final class Server {
    public static void main(String[] args) throws IOException {
        String body = Greeting.of("world") + " (java " + Runtime.version().feature() + ")\n";
        if (args.length > 0 && args[0].equals("--selftest")) {
            System.out.print(body);
            return;
        }
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        System.out.println("listening on " + port);
    }
}
