package com.example.shop.core;

import java.util.ArrayList;
import java.util.List;

/** A cart of items priced in cents. */
public final class Cart {
    private final List<Long> prices = new ArrayList<>();

    public Cart add(long cents) {
        prices.add(cents);
        return this;
    }

    public long total() {
        return prices.stream().mapToLong(Long::longValue).sum();
    }

    public static String format(long cents) {
        return String.format("%d.%02d", cents / 100, cents % 100);
    }
}
