package com.example.app;

/** Sample app of the Maven pipeline. */
public class App {
    public static void main(String[] args) {
        System.out.println("hello from maven (java " + System.getProperty("java.version") + ")");
    }
}
