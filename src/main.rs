fn main() {
    creditdesk::start();
}
