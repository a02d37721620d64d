# Day 2 -- two-headed model, written with tf.keras spelling, losses and weights as lists
import numpy as np
from tensorflow import keras

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")

x = keras.layers.Dense(256, activation="relu")(img_in)
x = keras.layers.Dense(64, activation="relu")(x)
m = keras.layers.Dense(16, activation="relu")(meta_in)

merged = keras.layers.Concatenate()([x, m])
digit_out = keras.layers.Dense(10, activation="softmax", name="digit")(merged)
hard_out = keras.layers.Dense(1, activation="sigmoid", name="is_hard")(merged)

two_headed = keras.Model(inputs=[img_in, meta_in], outputs=[digit_out, hard_out],
                         name="two_headed_mlp")

# one loss per output, in output order: [digit, is_hard]
two_headed.compile(
    optimizer="adam",
    loss=["sparse_categorical_crossentropy", "binary_crossentropy"],
    loss_weights=[1.0, 0.3],
)

n = 128
x_pix = np.random.rand(n, 784).astype("float32")
x_meta = np.random.rand(n, 8).astype("float32")
y_digit = np.random.randint(0, 10, size=(n,))
y_hard = np.random.randint(0, 2, size=(n, 1)).astype("float32")

two_headed.fit([x_pix, x_meta], [y_digit, y_hard], epochs=1, batch_size=32, verbose=1)
two_headed.summary()
