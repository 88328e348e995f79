/** @type {import('next').NextConfig} */
const nextConfig = {
  // A self-contained server in .next/standalone, for the container image.
  output: 'standalone',
  // output: 'export',
  poweredByHeader: false,
};

export default nextConfig;
