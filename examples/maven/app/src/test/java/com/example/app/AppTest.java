package com.example.app;

import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class AppTest {
    @Test
    public void greets() {
        assertTrue(App.greeting().startsWith("hello from"));
    }
}
