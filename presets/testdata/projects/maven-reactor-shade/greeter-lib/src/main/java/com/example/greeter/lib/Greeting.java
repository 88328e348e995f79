package com.example.greeter.lib;

/** Greetings, kept apart from the server that sends them. */
public final class Greeting {
    private Greeting() {}

    public static String of(String name) {
        return "hello " + name + " from the reactor's library";
    }
}
