"""Site-wide pages: home, health check, language switch; and the demo seed command."""
