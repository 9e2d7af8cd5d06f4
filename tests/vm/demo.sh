echo "demo: placeholder"
