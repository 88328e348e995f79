package com.example.shop.web;

import com.example.shop.core.Cart;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@SpringBootApplication
@RestController
public class ShopApplication {
    @GetMapping("/")
    public String total() {
        return "total " + Cart.format(new Cart().add(1999).add(500).total()) + "\n";
    }

    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }
}
