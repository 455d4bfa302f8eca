"""What a person does at the locker's screen: pick a parcel up (checked by the server, or by the terminal itself
while the server cannot be reached), and, for couriers, sign in and deposit. Served on 127.0.0.1 to the kiosk UI."""
